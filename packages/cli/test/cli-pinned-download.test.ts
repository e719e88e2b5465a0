import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type HttpServerOptions, startHttpServer } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, payload, runCli, tempWorld } from './support/cli-harness.js';

// `stowage cp http://host/big.bin ./x/` while the file on the server is replaced between the ranged
// parts of the download: exit 8 (PreconditionFailed) and nothing at the destination, whether the
// server honours If-Match/If-Range or ignores them (then the answers' own ETags give it away).
const MiB = 1024 * 1024;
let world: Awaited<ReturnType<typeof tempWorld>>;

beforeAll(async () => {
  world = await tempWorld();
});
afterAll(async () => {
  await world?.cleanup();
});

const servers: Array<[string, HttpServerOptions]> = [
  ['a server that honours conditional requests', {}],
  ['a server that ignores them', { conditionals: false }],
];

describe('stowage cp from HTTP while the file changes', () => {
  for (const [name, options] of servers) {
    it(`${name}: exit 8, the change named, nothing left`, async () => {
      const server = await startHttpServer(options);
      try {
        const file = join(server.dir, 'big.bin');
        await writeFile(file, payload(40 * MiB, 3));
        await utimes(file, new Date('2020-01-01'), new Date('2020-01-01'));
        // The download's stream breaks off after 4 MiB; the GET continuing it sees the new file.
        server.setFault({ kind: 'drop', path: 'big.bin', afterBytes: 4 * MiB, times: 1 });
        server.setFault({ kind: 'change', path: 'big.bin', afterRequests: 1, content: payload(40 * MiB, 4) });
        const out = join(world.work, name.replaceAll(' ', '-'));
        await mkdir(out);
        const result = await runCli(['cp', server.urlFor('big.bin'), `${out}/`, '--concurrency', '1'], {
          env: cleanEnv(world.home),
          cwd: world.work,
        });
        expect(result.code, result.stderr).toBe(8);
        expect(result.stderr).toMatch(/changed during the transfer/);
        expect(await readdir(out)).toEqual([]);
      } finally {
        await server.close();
      }
    });
  }

  it('an unchanged file on a server that ignores conditionals downloads byte-identical', async () => {
    const server = await startHttpServer({ conditionals: false });
    try {
      const data = payload(40 * MiB, 5);
      await writeFile(join(server.dir, 'steady.bin'), data);
      const out = join(world.work, 'steady');
      await mkdir(out);
      const result = await runCli(['cp', server.urlFor('steady.bin'), `${out}/`], {
        env: cleanEnv(world.home),
        cwd: world.work,
      });
      expect(result.code, result.stderr).toBe(0);
      expect((await readFile(join(out, 'steady.bin'))).equals(data)).toBe(true);
    } finally {
      await server.close();
    }
  });
});
