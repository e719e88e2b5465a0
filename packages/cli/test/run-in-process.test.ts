import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliIo, EXIT_CODES, run } from '../src/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-cli-inproc-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function memoryIo(): { io: CliIo; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const stdin = new PassThrough();
  stdin.end();
  return { io: { stdout, stderr, stdin, env: { HOME: dir }, cwd: dir }, out: () => out, err: () => err };
}

describe('run() in-process', () => {
  it('resolves relative paths against io.cwd and returns exit codes instead of exiting', async () => {
    await writeFile(join(dir, 'note.txt'), 'in process');
    const ok = memoryIo();
    expect(await run(['cp', 'note.txt', 'copy.txt'], ok.io)).toBe(0);
    expect(ok.out()).toContain(`-> file://${dir}/copy.txt`);

    const cat = memoryIo();
    expect(await run(['cat', 'copy.txt'], cat.io)).toBe(0);
    expect(cat.out()).toBe('in process');

    const missing = memoryIo();
    expect(await run(['stat', 'absent.txt'], missing.io)).toBe(3);
    expect(missing.err()).toMatch(/^stowage: .*absent\.txt.*\[NotFound\]\nhint: .+\n$/);
  });

  it('documents every exit code in --help', async () => {
    const help = memoryIo();
    expect(await run(['--help'], help.io)).toBe(0);
    for (const row of EXIT_CODES)
      expect(help.out()).toContain(`${String(row.exitCode).padStart(3)}  ${row.meaning}`);
  });

  it('a bad option is a usage error (exit 2) with a hint', async () => {
    const bad = memoryIo();
    expect(await run(['ls', '.', '--no-such-option'], bad.io)).toBe(2);
    expect(bad.err()).toMatch(/unknown option '--no-such-option' \[Usage\]\nhint: /);
  });

  it('a usage error in a run with --json is a JSON line', async () => {
    const bad = memoryIo();
    expect(await run(['--json', 'ls', '.', '--no-such-option'], bad.io)).toBe(2);
    const line = JSON.parse([bad.out(), bad.err()].join('').trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ type: 'error', code: 'Usage', exitCode: 2 });
  });
});
