import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCli, tempWorld } from './support/cli-harness.js';

// `--debug` turns on the default logging layer: one line per provider call, secret-free.
let world: Awaited<ReturnType<typeof tempWorld>>;
beforeAll(async () => {
  world = await tempWorld();
});
afterAll(async () => {
  await world?.cleanup();
});

describe('stowage --debug', () => {
  it('prints each storage call of a copy', async () => {
    await mkdir(join(world.work, 'in'));
    await writeFile(join(world.work, 'in', 'a.txt'), 'alpha');
    const result = await runCli(['--debug', 'cp', 'in/a.txt', 'out/'], {
      env: cleanEnv(world.home),
      cwd: world.work,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^debug: fs stat file:\/\/\S+\/in\/a\.txt ok \d+ ms$/m);
    // fs to fs is a server-side copy (copy_file_range): one call.
    expect(result.stderr).toMatch(/^debug: fs copy file:\/\/\S+\/in\/a\.txt ok \d+ ms$/m);
  });
});
