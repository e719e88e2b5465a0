import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type S3ServerHandle, startS3Server } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, jsonLines, runCli, tempWorld } from './support/cli-harness.js';

// Keys are data from a bucket (or a disk): printed raw, `ESC ] 0;…` retitles the user's terminal,
// `ESC [2J` clears it, U+202E turns `gnp.exe` into what reads as `exe.png`. Human output escapes
// them visibly; --json keeps the exact keys.
const execFileAsync = promisify(execFile);

/** File names (and so keys) with controls, each with how human output must show it. */
const NAMES: Array<[name: string, shown: string]> = [
  ['esc-\u001b]0;pwned\u0007.txt', 'esc-\\x1b]0;pwned\\x07.txt'],
  ['clear-\u001b[2J.txt', 'clear-\\x1b[2J.txt'],
  ['c1-\u009b31m.txt', 'c1-\\x9b31m.txt'],
  ['del-\u007f.txt', 'del-\\x7f.txt'],
  ['bidi-\u202egnp.exe', 'bidi-\\u202egnp.exe'],
  ['isolate-\u2066x\u2069.txt', 'isolate-\\u2066x\\u2069.txt'],
  ['nl-\nfake-line.txt', 'nl-\\nfake-line.txt'],
  ['back\\x1bslash.txt', 'back\\\\x1bslash.txt'],
];

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

let s3: S3ServerHandle;
let world: Awaited<ReturnType<typeof tempWorld>>;
let env: Record<string, string>;
let s3Flags: string[];

beforeAll(async () => {
  s3 = await startS3Server({ buckets: ['ctl'] });
  world = await tempWorld({
    credentials: `[default]\naws_access_key_id = ${s3.accessKeyId}\naws_secret_access_key = ${s3.secretAccessKey}\n`,
  });
  env = cleanEnv(world.home);
  s3Flags = ['--endpoint', s3.endpoint, '--region', 'us-east-1', '--checksum-algorithm', 'off'];
  await mkdir(join(world.work, 'src'));
  for (const [name] of NAMES) await writeFile(join(world.work, 'src', name), name);
}, 120_000);
afterAll(async () => {
  await s3?.close();
  await world?.cleanup();
});

const cli = (args: string[]) => runCli([...args, ...s3Flags], { env, cwd: world.work });

/** Every output line of the command carries no raw control, and shows each name escaped. */
function expectEscaped(text: string, prefix = ''): void {
  expect(text).not.toMatch(RAW_CONTROL);
  for (const [, shown] of NAMES) expect(text).toContain(`${prefix}${shown}`);
}

describe('control characters in keys never reach the terminal raw', () => {
  it('ls of a local directory escapes the names', async () => {
    const result = await cli(['ls', 'src/']);
    expect(result.code, result.stderr).toBe(0);
    expectEscaped(result.stdout);
    // One line per file: the newline inside a name did not start a line of its own.
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(NAMES.length);
  });

  it('cp -r up prints escaped `copied` lines; ls escapes, ls --json keeps the exact keys', async () => {
    const up = await cli(['cp', '-r', 'src/', 's3://ctl/up/']);
    expect(up.code, up.stderr).toBe(0);
    expectEscaped(up.stdout, 's3://ctl/up/');
    expect(up.stdout).toMatch(/^copied 8 files/m);

    const ls = await cli(['ls', 's3://ctl/up/']);
    expect(ls.code, ls.stderr).toBe(0);
    expectEscaped(ls.stdout);

    const json = await cli(['ls', 's3://ctl/up/', '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout, 'JSON escapes C1 and bidi characters too').not.toMatch(RAW_CONTROL);
    const keys = jsonLines(json.stdout).map((entry) => entry.key);
    expect(keys.sort()).toEqual(NAMES.map(([name]) => `up/${name}`).sort());
  });

  it('cp -r down escapes the plain output and writes the exact names', async () => {
    const down = await cli(['cp', '-r', 's3://ctl/up/', 'down/']);
    expect(down.code, down.stderr).toBe(0);
    expectEscaped(down.stdout, 's3://ctl/up/');
    expect((await readdir(join(world.work, 'down'))).sort()).toEqual(NAMES.map(([name]) => name).sort());
    for (const [name] of NAMES) expect(await readFile(join(world.work, 'down', name), 'utf8')).toBe(name);
  });

  it('stat, --json events and error messages escape too', async () => {
    const stat = await cli(['stat', 's3://ctl/up/bidi-\u202egnp.exe']);
    expect(stat.code, stat.stderr).toBe(0);
    expect(stat.stdout).not.toMatch(RAW_CONTROL);
    expect(stat.stdout).toMatch(/^uri: +s3:\/\/ctl\/up\/bidi-\\u202egnp\.exe$/m);

    const missing = await cli(['stat', 's3://ctl/up/missing-\u202e.txt']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).not.toMatch(RAW_CONTROL);
    expect(missing.stderr).toContain('missing-\\u202e.txt');

    const events = await cli(['cp', '-r', 's3://ctl/up/', 'down-json/', '--json']);
    expect(events.code, events.stderr).toBe(0);
    expect(events.stdout).not.toMatch(RAW_CONTROL);
    const sources = jsonLines(events.stdout)
      .filter((e) => e.type === 'completed' || e.type === 'queued')
      .map((e) => e.source)
      .filter((source) => source !== undefined);
    expect(sources).toContain('s3://ctl/up/esc-\u001b]0;pwned\u0007.txt');
  });

  it('the progress-bar reporter escapes the names on its lines and bars', async () => {
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const command = [process.execPath, BIN, 'cp', '-r', 's3://ctl/up/', 'down-tty/', ...s3Flags]
      .map(quote)
      .join(' ');
    const { stdout } = await execFileAsync('script', ['-qfec', command, '/dev/null'], {
      cwd: world.work,
      env: { ...env, TERM: 'xterm' },
      timeout: 60_000,
    });
    expect(stdout).toMatch(/total 8\/8/);
    // The bars draw with escape sequences of their own; the keys' sequences must not be there.
    expect(stdout).not.toContain('\u001b]0;pwned');
    expect(stdout).not.toContain('\u001b[2J');
    expect(stdout).not.toMatch(/[\u0080-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(stdout).toContain('esc-\\x1b]0;pwned\\x07.txt');
  });
});
