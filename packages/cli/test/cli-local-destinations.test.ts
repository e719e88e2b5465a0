import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { partialPaths, tempPathFor } from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCli, tempWorld } from './support/cli-harness.js';

// The built `stowage` binary, as a whole process, on local files: a name too long is a usage
// error with the limit named (exit 2), not "a bug"; a link inside a tree destination never carries
// a file out of it (exit 4); a user's `.stowage-tmp-*` files are listed and copied like any other,
// while Stowage's own temp files are not.
let world: Awaited<ReturnType<typeof tempWorld>>;
let env: Record<string, string>;

beforeAll(async () => {
  world = await tempWorld();
  env = cleanEnv(world.home);
});
afterAll(async () => {
  await world?.cleanup();
});

const cli = (args: string[]) => runCli(args, { env, cwd: world.work });

describe('stowage on local destinations', () => {
  it('cp to a name longer than the file system allows: exit 2, the limit named', async () => {
    await writeFile(join(world.work, 'small.txt'), 'small');
    const result = await cli(['cp', 'small.txt', `${'n'.repeat(300)}.txt`]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/File name too long: .*255 bytes.*\[InvalidArgument\]/);
    expect(result.stderr).not.toMatch(/looks like a bug/);
  });

  it('cp -r into a destination with a link to outside inside it: exit 4, nothing written outside', async () => {
    const src = join(world.work, 'link-src');
    await mkdir(join(src, 'sub'), { recursive: true });
    await writeFile(join(src, 'sub', 'x.txt'), 'x');
    await writeFile(join(src, 'top.txt'), 'top');
    const dest = join(world.work, 'link-dest');
    const outside = join(world.work, 'outside');
    await mkdir(dest);
    await mkdir(outside);
    await symlink('../outside', join(dest, 'sub'));
    const result = await cli(['cp', '-r', 'link-src/', 'link-dest/']);
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toMatch(/symbolic link/);
    expect(await readdir(outside)).toEqual([]);
    expect(await readFile(join(dest, 'top.txt'), 'utf8')).toBe('top');
  });

  it('ls and cp -r show and copy a user file named .stowage-tmp-*, and hide real temp files', async () => {
    const dir = join(world.work, 'named');
    await mkdir(dir);
    await writeFile(join(dir, '.stowage-tmp-notes.txt'), 'my notes');
    await writeFile(join(dir, 'plain.txt'), 'plain');
    await writeFile(tempPathFor(join(dir, 'plain.txt')), 'in progress');
    await writeFile(partialPaths(join(dir, 'big.bin')).partial, 'partial');
    const ls = await cli(['ls', 'named/']);
    expect(ls.code, ls.stderr).toBe(0);
    const names = ls.stdout
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/).pop());
    expect(names.sort()).toEqual(['.stowage-tmp-notes.txt', 'plain.txt']);
    const copy = await cli(['cp', '-r', 'named/', 'named-copy/']);
    expect(copy.code, copy.stderr).toBe(0);
    expect((await readdir(join(world.work, 'named-copy'))).sort()).toEqual([
      '.stowage-tmp-notes.txt',
      'plain.txt',
    ]);
    expect(await readFile(join(world.work, 'named-copy', '.stowage-tmp-notes.txt'), 'utf8')).toBe('my notes');
  });

  it('cp -r of a missing path: exit 3, nothing copied, not "copied 0 files" and exit 0', async () => {
    const result = await cli(['cp', '-r', 'no-such-dir', 'anywhere/']);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/no-such-dir does not exist \[NotFound\]/);
    expect(result.stdout).not.toMatch(/copied/);
    expect(await readdir(world.work)).not.toContain('anywhere');
  });

  it('cp -r and mv -r of a single file copy or move that file, as cp -r and rclone do', async () => {
    await writeFile(join(world.work, 'one.txt'), 'one');
    const copied = await cli(['cp', '-r', 'one.txt', 'one-dest/']);
    expect(copied.code, copied.stderr).toBe(0);
    expect(await readFile(join(world.work, 'one-dest', 'one.txt'), 'utf8')).toBe('one');
    const moved = await cli(['mv', '-r', 'one.txt', 'two.txt']);
    expect(moved.code, moved.stderr).toBe(0);
    expect(await readFile(join(world.work, 'two.txt'), 'utf8')).toBe('one');
    expect(await readdir(world.work)).not.toContain('one.txt');
    const filtered = await cli(['cp', '-r', 'two.txt', 'three/', '--include', '*.txt']);
    expect(filtered.code).toBe(2);
    expect(filtered.stderr).toMatch(/two\.txt is a file; --include/);
  });
});
