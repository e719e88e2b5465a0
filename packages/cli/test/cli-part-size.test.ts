import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startHttpServer } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, jsonLines, payload, runCli, tempWorld } from './support/cli-harness.js';

// One part-size rule, from the destination's limits: a download's ranges have none, so
// `--part-size 1MiB` from an HTTP server is taken as it is (it used to be refused as "outside S3's
// limits", because the flag also configured the S3 provider).
const MiB = 1024 * 1024;
let world: Awaited<ReturnType<typeof tempWorld>>;

beforeAll(async () => {
  world = await tempWorld();
});
afterAll(async () => {
  await world?.cleanup();
});

describe('--part-size', () => {
  it('1MiB parts for a download from HTTP: every connection starts on a 1 MiB boundary, byte-identical', async () => {
    const server = await startHttpServer();
    try {
      const data = payload(12 * MiB, 9);
      await writeFile(join(server.dir, 'twelve.bin'), data);
      const out = join(world.work, 'parts');
      await mkdir(out);
      const result = await runCli(
        [
          'cp',
          server.urlFor('twelve.bin'),
          `${out}/`,
          '--part-size',
          '1MiB',
          '--multipart-threshold',
          '2MiB',
          '--json',
        ],
        { env: cleanEnv(world.home), cwd: world.work },
      );
      expect(result.code, result.stderr).toBe(0);
      expect(jsonLines(result.stdout).find((e) => e.type === 'started')).toMatchObject({
        strategy: 'ranged-download',
      });
      expect((await readFile(join(out, 'twelve.bin'))).equals(data)).toBe(true);
      const ranged = server.requests.filter((r) => r.method === 'GET' && r.headers.range !== undefined);
      // One stream from byte 0; any lane added for the tail starts at a part boundary.
      expect(ranged[0]!.headers.range).toBe(`bytes=0-${12 * MiB - 1}`);
      for (const r of ranged) expect(Number(/^bytes=(\d+)-/.exec(r.headers.range!)![1]) % MiB).toBe(0);
    } finally {
      await server.close();
    }
  });
});
