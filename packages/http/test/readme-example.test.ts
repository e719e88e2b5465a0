import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createStorage, FsProvider } from '@stowage/core';
import { startHttpServer } from '@stowage/testing';
import { expect, it } from 'vitest';
import { bearerToken, HttpProvider, netrcCredentials } from '../src/index.js';
import { payload, removeDir, scratch, serve } from './support.js';

it('runs the README examples against a local server', async () => {
  const server = await startHttpServer({
    digests: ['repr-digest'],
    auth: { basic: { username: 'me', password: 'pw' } },
  });
  const home = await scratch();
  try {
    const data = payload(3 * 1024 * 1024);
    await serve(server, 'granules/g1.nc', data);
    await writeFile(
      join(server.dir, 'granules/g1.nc.sha256'),
      `${createHash('sha256').update(data).digest('hex')}  g1.nc\n`,
    );
    await writeFile(join(home, '.netrc'), 'machine 127.0.0.1 login me password pw\n', { mode: 0o600 });
    const http = new HttpProvider({
      credentials: netrcCredentials(),
      resolveContext: { homedir: home, env: {} },
      timeouts: { connectMs: 10_000, idleMs: 30_000 },
    });
    const result = await http.downloadToFile(server.urlFor('granules/g1.nc'), join(home, 'g1.nc'), {
      segmentSize: 1024 * 1024,
      concurrency: 4,
      resume: true,
      sidecar: 'auto',
    });
    expect(result.mode).toBe('segmented');
    expect(result.verified).toEqual(['sha256']);
    await http.close();

    const open = await startHttpServer({ auth: { bearer: 'api-token' } });
    await serve(open, 'data/table.csv', 'a,b\n1,2\n');
    const storage = createStorage({
      providers: [new FsProvider(), new HttpProvider({ credentials: bearerToken('api-token') })],
    });
    await storage.copy(open.urlFor('data/table.csv'), join(home, 'table.csv'));
    expect(await readFile(join(home, 'table.csv'), 'utf8')).toBe('a,b\n1,2\n');
    await storage.close();
    await open.close();
  } finally {
    await server.close();
    await removeDir(home);
  }
});
