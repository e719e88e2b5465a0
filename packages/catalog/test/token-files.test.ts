import { spawn } from 'node:child_process';
import { watch } from 'node:fs';
import { lstat, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '@stowage/catalog';
import { type LocalCatalog, startCatalogServer } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, testCatalog } from './support/catalog-fixture.js';

let local: LocalCatalog;
let other: LocalCatalog;

beforeAll(async () => {
  [local, other] = await Promise.all([startCatalogServer(), startCatalogServer()]);
});
afterAll(async () => {
  await Promise.all([local.stop(), other.stop()]);
});

/** Watch a directory and stat every file the moment it appears or changes; returns what was seen. */
function modeWatcher(dir: string) {
  const seen = new Map<string, Set<number>>();
  let observations = 0;
  const look = async (name: string) => {
    try {
      const info = await lstat(join(dir, name));
      if (!info.isFile()) return;
      observations++;
      const modes = seen.get(name) ?? new Set<number>();
      modes.add(info.mode & 0o777);
      seen.set(name, modes);
    } catch {
      // renamed away before we looked
    }
  };
  const watcher = watch(dir, (_event, name) => {
    if (name) void look(name.toString());
  });
  let polling = true;
  const poller = (async () => {
    while (polling) {
      for (const name of await readdir(dir).catch(() => [] as string[])) await look(name);
      await new Promise((r) => setImmediate(r));
    }
  })();
  return {
    seen,
    observations: () => observations,
    stop: async () => {
      polling = false;
      watcher.close();
      await poller;
    },
  };
}

describe('token files', () => {
  it('are 0600 at every moment, even with umask 000, and atomic for readers', async () => {
    const dir = await tempDir();
    const previousUmask = process.umask(0);
    try {
      const catalog = testCatalog(dir.path);
      await catalog.config(local.catalogUrl);
      await catalog.loginWithToken(local.issueCode());
      const file = catalog.tokenFile(local.registryUrl);
      const authDir = join(dir.path, 'auth');
      expect((await stat(authDir)).mode & 0o777).toBe(0o700);

      const watcher = modeWatcher(authDir);
      let reads = 0;
      let reading = true;
      const reader = (async () => {
        while (reading) {
          const text = await readFile(file, 'utf8');
          expect(() => JSON.parse(text)).not.toThrow();
          reads++;
          await new Promise((r) => setImmediate(r));
        }
      })();
      // 30 refreshes, each rewriting the file with a rotated refresh token, plus a few new logins.
      for (let i = 0; i < 30; i++) {
        local.expireAccessTokens();
        await catalog.whoami();
        if (i % 10 === 0) await catalog.loginWithToken(local.issueCode());
      }
      // A control: a file written the naive way in the same directory must be caught by the watcher.
      await writeFile(join(authDir, 'control.json'), '{}', { mode: 0o644 });
      await new Promise((r) => setTimeout(r, 100));
      reading = false;
      await reader;
      await watcher.stop();

      expect(watcher.seen.get('control.json')).toEqual(new Set([0o644]));
      watcher.seen.delete('control.json');
      const tokenModes = [...watcher.seen.values()].flatMap((modes) => [...modes]);
      expect(watcher.observations()).toBeGreaterThan(30);
      expect(new Set(tokenModes)).toEqual(new Set([0o600]));
      // Temp files were observed too, and none is left behind.
      expect(watcher.seen.size).toBeGreaterThan(1);
      expect(await readdir(authDir)).toEqual(expect.arrayContaining([file.split('/').at(-1)]));
      expect((await readdir(authDir)).filter((n) => n.includes('stowage-tmp'))).toEqual([]);
      expect(reads).toBeGreaterThan(10);
    } finally {
      process.umask(previousUmask);
      await dir.cleanup();
    }
  }, 60_000);

  it('are keyed by registry URL: one file per stack, each naming its registry', async () => {
    const dir = await tempDir();
    try {
      const catalog = testCatalog(dir.path);
      for (const stack of [local, other]) {
        await catalog.config(stack.catalogUrl);
        await catalog.loginWithToken(stack.issueCode());
      }
      const files = (await readdir(join(dir.path, 'auth'))).sort();
      expect(files).toHaveLength(2);
      for (const stack of [local, other]) {
        const path = catalog.tokenFile(stack.registryUrl);
        expect(files).toContain(path.split('/').at(-1));
        expect(path).toContain(new URL(stack.registryUrl).host.replace(':', '_'));
        const stored = JSON.parse(await readFile(path, 'utf8'));
        expect(stored).toMatchObject({ registryUrl: stack.registryUrl, catalogUrl: stack.catalogUrl });
        expect(Object.keys(stored).sort()).toEqual(
          ['access_token', 'catalogUrl', 'expires_at', 'issued_at', 'refresh_token', 'registryUrl'].sort(),
        );
      }
    } finally {
      await dir.cleanup();
    }
  });

  it('a login lock is waited for while its holder lives, and taken over when it died or is too old', async () => {
    const dir = await tempDir();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    try {
      const catalog = testCatalog(dir.path);
      await catalog.config(local.catalogUrl);
      await catalog.loginWithToken(local.issueCode());
      const lock = `${catalog.tokenFile(local.registryUrl)}.lock`;
      const owner = (pid: number) =>
        JSON.stringify({ pid, host: hostname(), id: `test-${pid}`, since: Date.now() });

      // Held by a live process on this host: the refresh waits for it.
      await writeFile(lock, owner(holder.pid!));
      local.expireAccessTokens();
      const exchanges = local.count('/api/token');
      let done = false;
      const waiting = catalog.whoami().finally(() => {
        done = true;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(done).toBe(false);
      expect(local.count('/api/token')).toBe(exchanges);
      // The holder dies without releasing it: taken over at once (its pid is gone).
      const gone = new Promise((r) => holder.once('exit', r));
      holder.kill('SIGKILL');
      await gone;
      expect((await waiting).name).toBe('alice');
      expect(local.count('/api/token')).toBe(exchanges + 1);
      await expect(stat(lock)).rejects.toMatchObject({ code: 'ENOENT' });

      // Unreadable (a holder that died before writing it) and older than the bound: taken over.
      await writeFile(lock, '');
      const old = new Date(Date.now() - 10 * 60_000);
      await utimes(lock, old, old);
      local.expireAccessTokens();
      expect((await catalog.whoami()).name).toBe('alice');
      await expect(stat(lock)).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      holder.kill('SIGKILL');
      await dir.cleanup();
    }
  });

  it('writeFileAtomic replaces a file whole and leaves no temp file when the target cannot be written', async () => {
    const dir = await tempDir();
    try {
      const target = join(dir.path, 'nested', 'file.json');
      await writeFileAtomic(target, 'one');
      await writeFileAtomic(target, 'two');
      expect(await readFile(target, 'utf8')).toBe('two');
      expect((await stat(target)).mode & 0o777).toBe(0o600);
      // A directory in the way: the rename fails and the temp file is removed.
      await expect(writeFileAtomic(join(dir.path, 'nested'), 'x')).rejects.toThrow();
      expect((await readdir(join(dir.path, 'nested'))).sort()).toEqual(['file.json']);
      expect(await readdir(dir.path)).toEqual(['nested']);
    } finally {
      await dir.cleanup();
    }
  });
});
