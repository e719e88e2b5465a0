import { statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { childOutput } from './support/child-output.js';

// A tree whose source has a sub-directory the user may not read: that directory fails on its own
// (PermissionDenied, with a hint about file permissions, in the events and the result) and every
// readable file is copied. Root reads everything, so as root the copy runs as `nobody`.
const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHILD = join(PACKAGE_DIR, 'test/support/unreadable-tree-child.mjs');
const asRoot = process.getuid?.() === 0;

/** Whether a user other than the owner can reach `path` (o+x on every directory above, and `bits` on it). */
function openToOthers(path: string, bits: number): boolean {
  try {
    if ((statSync(path).mode & bits) !== bits) return false;
    for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir))
      if ((statSync(dir).mode & 0o001) === 0) return false;
    return true;
  } catch {
    return false;
  }
}

// As root the child runs as `nobody`: it needs a Node binary and this package that nobody can use
// (a Node fetched by npx lives under root's private home, the machine's own does not).
const NODE = asRoot
  ? [process.execPath, '/usr/bin/node', '/usr/local/bin/node'].find((path) => openToOthers(path, 0o005))
  : process.execPath;
const RUNNABLE = NODE !== undefined && (!asRoot || openToOthers(CHILD, 0o004));
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-unreadable-'));
  await chmod(dir, 0o755);
});
afterEach(async () => {
  await chmod(join(dir, 'src', 'locked'), 0o755).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

async function runChild(source: string): Promise<Record<string, unknown>> {
  const output = await childOutput(NODE!, [CHILD, JSON.stringify({ source })], {
    cwd: PACKAGE_DIR,
    ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
  });
  return JSON.parse(output) as Record<string, unknown>;
}

describe.skipIf(process.platform === 'win32' || !RUNNABLE)(
  'a source tree with an unreadable sub-directory',
  () => {
    it('fails that directory on its own and copies the rest', async () => {
      const src = join(dir, 'src');
      for (const sub of ['a', 'locked', 'z']) {
        await mkdir(join(src, sub), { recursive: true, mode: 0o755 });
        for (let i = 0; i < 3; i++)
          await writeFile(join(src, sub, `f${i}.txt`), `${sub} ${i}`, { mode: 0o644 });
      }
      await chmod(src, 0o755);
      await chmod(join(src, 'locked'), 0o000);
      const report = await runChild(src);
      expect(report).toMatchObject({ ok: false, files: 6, failed: 1 });
      expect(report.error).toMatchObject({ code: 'PermissionDenied' });
      const hint = (report.error as { hint?: string }).hint ?? '';
      expect(hint).toMatch(/permissions of/);
      expect(hint).not.toMatch(/bucket/);
      const failures = report.failures as Array<{ source: string; code: string }>;
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({
        code: 'PermissionDenied',
        source: expect.stringMatching(/\/locked\/$/),
      });
      expect(report.events).toEqual([expect.objectContaining({ code: 'PermissionDenied' })]);
    });
  },
);
