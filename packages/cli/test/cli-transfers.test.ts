import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type HttpTestServer, type S3ServerHandle, startHttpServer, startS3Server } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIN,
  type CliResult,
  cleanEnv,
  jsonLines,
  payload,
  runCli,
  s3rverFlags,
  tempWorld,
} from './support/cli-harness.js';

const execFileAsync = promisify(execFile);
const MiB = 1024 * 1024;
// s3rver checks the key id but no signature, so this secret is only there to be resolved by the
// boto3 chain (from a temp ~/.aws/credentials) and to prove it never appears in any output.
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY1';

let s3: S3ServerHandle;
let http: HttpTestServer;
let world: Awaited<ReturnType<typeof tempWorld>>;
let env: Record<string, string>;
let s3Flags: string[];

beforeAll(async () => {
  [s3, http] = await Promise.all([startS3Server({ buckets: ['cli'] }), startHttpServer()]);
  world = await tempWorld({
    credentials: `[default]\naws_access_key_id = ${s3.accessKeyId}\naws_secret_access_key = ${SECRET}\n`,
  });
  env = cleanEnv(world.home);
  s3Flags = s3rverFlags(s3.endpoint);
}, 120_000);
afterAll(async () => {
  await Promise.all([s3?.close(), http?.close()]);
  await world?.cleanup();
});

const cli = (args: string[], input?: string) =>
  runCli([...args, ...s3Flags], { env, cwd: world.work, ...(input !== undefined ? { input } : {}) });

function expectNoSecret(result: CliResult): void {
  for (const text of [result.stdout, result.stderr]) {
    expect(text).not.toContain(SECRET);
  }
}

describe('stowage cp/ls/stat/cat against a local S3 server and HTTP server', () => {
  it('copies a file up, lists, stats, cats it and copies it back byte-identical', async () => {
    const data = payload(300_000, 7);
    await writeFile(join(world.work, 'up.bin'), data);
    const up = await cli(['cp', 'up.bin', 's3://cli/one/']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/copied .*up\.bin -> s3:\/\/cli\/one\/up\.bin/);

    const ls = await cli(['ls', 's3://cli/one/']);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/\s300000 up\.bin\n/);

    const stat = await cli(['stat', 's3://cli/one/up.bin', '--json']);
    expect(stat.code).toBe(0);
    expect(JSON.parse(stat.stdout)).toMatchObject({
      type: 'stat',
      uri: 's3://cli/one/up.bin',
      size: 300_000,
    });

    const cat = await runCli(['cat', 's3://cli/one/up.bin', '--range', '0-9', ...s3Flags], {
      env,
      cwd: world.work,
    });
    expect(cat.code).toBe(0);
    expect(Buffer.from(cat.stdout, 'latin1').length).toBeGreaterThan(0);

    const down = await cli(['cp', 's3://cli/one/up.bin', 'down.bin']);
    expect(down.code, down.stderr).toBe(0);
    expect((await readFile(join(world.work, 'down.bin'))).equals(data)).toBe(true);

    // awscli's spelling of the endpoint flag reaches the same server.
    const awsSpelling = s3Flags.map((flag) => (flag === '--endpoint' ? '--endpoint-url' : flag));
    const ls2 = await runCli(['ls', 's3://cli/one/', ...awsSpelling], { env, cwd: world.work });
    expect(ls2.code, ls2.stderr).toBe(0);
    expect(ls2.stdout).toMatch(/\s300000 up\.bin\n/);
    expectNoSecret(up);
    expectNoSecret(down);
  });

  it('copies from an HTTP server into a local directory', async () => {
    await writeFile(join(http.dir, 'page.txt'), 'served over http\n');
    await mkdir(join(world.work, 'from-http'), { recursive: true });
    const result = await cli(['cp', http.urlFor('page.txt'), 'from-http']);
    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(join(world.work, 'from-http/page.txt'), 'utf8')).toBe('served over http\n');
  });

  it('--json emits every transfer event in order, then the result with its counts', async () => {
    await writeFile(join(world.work, 'j.bin'), payload(2 * MiB, 3));
    const result = await cli(['--json', 'cp', 'j.bin', 's3://cli/json/j.bin']);
    expect(result.code, result.stderr).toBe(0);
    const lines = jsonLines(result.stdout);
    const types = lines.map((l) => l.type);
    expect(types[0]).toBe('queued');
    expect(types[1]).toBe('started');
    expect(types.at(-2)).toBe('completed');
    expect(types.at(-1)).toBe('result');
    expect(types.slice(2, -2).every((t) => t === 'progress')).toBe(true);
    expect(lines[1]).toMatchObject({ totalBytes: 2 * MiB, source: expect.stringContaining('j.bin') });
    expect(lines.at(-2)).toMatchObject({ bytes: 2 * MiB, verified: expect.arrayContaining(['size']) });
    expect(lines.at(-1)).toMatchObject({ command: 'cp', bytes: 2 * MiB, destination: 's3://cli/json/j.bin' });
  });

  it('cp -r copies a tree up and down with per-file events and tree counts; --include filters', async () => {
    const tree = join(world.work, 'tree');
    await mkdir(join(tree, 'sub'), { recursive: true });
    await writeFile(join(tree, 'a.txt'), 'A');
    await writeFile(join(tree, 'b.csv'), 'B,b');
    await writeFile(join(tree, 'sub/c.txt'), 'C');
    const up = await cli(['cp', '-r', 'tree', 's3://cli/tree/', '--json']);
    expect(up.code, up.stderr).toBe(0);
    const events = jsonLines(up.stdout);
    const result = events.at(-1)!;
    expect(result).toMatchObject({ type: 'result', command: 'cp', files: 3, failed: 0, bytes: 5 });
    expect(events.filter((e) => e.type === 'completed' && e.parentId)).toHaveLength(3);
    expect(events.filter((e) => e.type === 'tree-progress').at(-1)).toMatchObject({
      filesDone: 3,
      listingComplete: true,
    });

    const down = await cli(['cp', '-r', 's3://cli/tree/', 'tree-back', '--include', '**/*.txt']);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/copied 2 files/);
    expect(await readFile(join(world.work, 'tree-back/sub/c.txt'), 'utf8')).toBe('C');
    await expect(readFile(join(world.work, 'tree-back/b.csv'))).rejects.toThrow();
  });

  it('mv moves an object (source gone, destination there) and rm deletes trees only with -r', async () => {
    await writeFile(join(world.work, 'm.txt'), 'move me');
    expect((await cli(['cp', 'm.txt', 's3://cli/mv/from.txt'])).code).toBe(0);
    const mv = await cli(['mv', 's3://cli/mv/from.txt', 's3://cli/mv/to.txt']);
    expect(mv.code, mv.stderr).toBe(0);
    expect((await cli(['stat', 's3://cli/mv/from.txt'])).code).toBe(3);
    expect((await cli(['cat', 's3://cli/mv/to.txt'])).stdout).toBe('move me');

    const refused = await cli(['rm', 's3://cli/mv/']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/only with -r/);
    expect(refused.stderr).toMatch(/hint: Run `stowage rm -r/);

    const dry = await cli(['rm', '-r', 's3://cli/mv/', '--dry-run']);
    expect(dry.stdout).toContain('would delete s3://cli/mv/to.txt');
    const removed = await cli(['rm', '-r', 's3://cli/mv/', '--json']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(jsonLines(removed.stdout)).toEqual([
      { type: 'deleted', uri: 's3://cli/mv/to.txt' },
      { type: 'result', command: 'rm', deleted: 1, failed: 0 },
    ]);
    expect((await cli(['ls', 's3://cli/mv/'])).stdout).toBe('');
  });

  it('sync copies what changed, --dry-run shows copies and deletions first, --delete removes extraneous objects', async () => {
    const src = join(world.work, 'sync-src');
    await mkdir(src, { recursive: true });
    await writeFile(join(src, 'keep.txt'), 'same');
    await writeFile(join(src, 'change.txt'), 'v1');
    await writeFile(join(src, 'gone.txt'), 'remove later');
    // S3 keeps whole seconds: files written in the second before an upload must not look newer.
    const past = new Date(Date.now() - 3_600_000);
    for (const name of ['keep.txt', 'change.txt', 'gone.txt']) await utimes(join(src, name), past, past);
    const first = await cli(['sync', 'sync-src', 's3://cli/sync/']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/copied 3 files/);

    await writeFile(join(src, 'change.txt'), 'version 2');
    await writeFile(join(src, 'new.txt'), 'new');
    await rm(join(src, 'gone.txt'));
    const dry = await cli(['sync', 'sync-src', 's3://cli/sync/', '--delete', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const planned = jsonLines(dry.stdout);
    expect(
      planned
        .filter((p) => p.action === 'copy')
        .map((p) => p.destination)
        .sort(),
    ).toEqual(['s3://cli/sync/change.txt', 's3://cli/sync/new.txt']);
    expect(planned.filter((p) => p.action === 'delete').map((p) => p.uri)).toEqual([
      's3://cli/sync/gone.txt',
    ]);
    expect(planned.at(-1)).toMatchObject({ type: 'result', dryRun: true, files: 2, deleted: 1 });
    expect((await cli(['ls', 's3://cli/sync/'])).stdout).toContain('gone.txt'); // nothing touched

    const real = await cli(['sync', 'sync-src', 's3://cli/sync/', '--delete', '--json']);
    expect(real.code, real.stderr).toBe(0);
    expect(jsonLines(real.stdout).at(-1)).toMatchObject({ type: 'result', files: 2, skipped: 1, deleted: 1 });
    const after = (await cli(['ls', 's3://cli/sync/'])).stdout;
    expect(
      after
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/).at(-1))
        .sort(),
    ).toEqual(['change.txt', 'keep.txt', 'new.txt']);
    expect((await cli(['cat', 's3://cli/sync/change.txt'])).stdout).toBe('version 2');
  });

  it('presign prints a URL that plain fetch can use', async () => {
    await writeFile(join(world.work, 'p.txt'), 'presigned body');
    expect((await cli(['cp', 'p.txt', 's3://cli/p.txt'])).code).toBe(0);
    const result = await cli(['presign', 's3://cli/p.txt', '--expires-in', '300']);
    expect(result.code, result.stderr).toBe(0);
    const url = result.stdout.trim();
    expect(url).toMatch(/X-Amz-Signature=/);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('presigned body');
  });

  it('an error is one line plus a hint with the documented exit code, no stack and no secret; --debug adds the stack', async () => {
    const missing = await cli(['cat', 's3://cli/no/such-key.txt']);
    expect(missing.code).toBe(3);
    const lines = missing.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^stowage: .*no\/such-key\.txt.* \[NotFound\]$/);
    expect(lines[1]).toMatch(/^hint: /);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    expectNoSecret(missing);

    const profile = await cli(['ls', 's3://cli/', '--profile', 'nope']);
    expect(profile.code).toBe(5);
    expect(profile.stderr).toMatch(/\[ProfileNotFound\]/);

    const usage = await cli(['cp', 'only-one-arg']);
    expect(usage.code).toBe(2);

    const debug = await cli(['cat', 's3://cli/no/such-key.txt', '--debug']);
    expect(debug.code).toBe(3);
    expect(debug.stderr).toMatch(/\n\s+at /);
    expectNoSecret(debug);

    const json = await cli(['cat', 's3://cli/no/such-key.txt', '--json']);
    expect(JSON.parse(json.stderr)).toMatchObject({ type: 'error', code: 'NotFound', exitCode: 3 });
  });

  it('draws a progress bar with percentage, rate and ETA under a pseudo-terminal', async () => {
    await writeFile(join(world.work, 'tty.bin'), payload(12 * MiB, 11));
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const command = [process.execPath, BIN, 'cp', 'tty.bin', 's3://cli/tty/tty.bin', ...s3Flags]
      .map(quote)
      .join(' ');
    const { stdout } = await execFileAsync('script', ['-qfec', command, '/dev/null'], {
      cwd: world.work,
      env: { ...env, TERM: 'xterm' },
      timeout: 60_000,
    });
    expect(stdout).toMatch(/100%/);
    expect(stdout).toMatch(/[█░]{5,}/);
    expect(stdout).toMatch(/\d+(\.\d)? (B|KiB|MiB|GiB)\/s/);
    expect(stdout).toMatch(/ETA /);
    expect(stdout).toContain('12.0 MiB/12.0 MiB');
    expect(stdout).toMatch(/copied|tty\.bin/);
    expect(stdout).not.toContain(SECRET);

    // A tree: a total bar with file counts beside the per-file bars.
    await mkdir(join(world.work, 'tty-tree/sub'), { recursive: true });
    await writeFile(join(world.work, 'tty-tree/a.bin'), payload(3 * MiB, 12));
    await writeFile(join(world.work, 'tty-tree/sub/b.bin'), payload(2 * MiB, 13));
    const treeCommand = [process.execPath, BIN, 'cp', '-r', 'tty-tree', 's3://cli/tty-tree/', ...s3Flags]
      .map(quote)
      .join(' ');
    const tree = await execFileAsync('script', ['-qfec', treeCommand, '/dev/null'], {
      cwd: world.work,
      env: { ...env, TERM: 'xterm' },
      timeout: 60_000,
    });
    expect(tree.stdout).toMatch(/total 2\/2 +\|█+\| 100% \| 5\.0 MiB\/5\.0 MiB \| [\d.]+ \w+\/s \| ETA/);

    // Bars on the terminal, stdout redirected: the summary still lands in the file, not on the bars.
    const redirected = `${treeCommand.replace('s3://cli/tty-tree/', 's3://cli/tty-tree-2/')} > summary.txt`;
    const barsOnly = await execFileAsync('script', ['-qfec', redirected, '/dev/null'], {
      cwd: world.work,
      env: { ...env, TERM: 'xterm' },
      timeout: 60_000,
    });
    expect(barsOnly.stdout).toMatch(/total 2\/2/);
    expect(barsOnly.stdout).not.toMatch(/copied 2 files/);
    expect(await readFile(join(world.work, 'summary.txt'), 'utf8')).toMatch(/^copied 2 files \(5\.0 MiB\)/m);
  });
});
