import { mkdir, readdir } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { type S3ServerHandle, startMotoServer } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, jsonLines, runCli, tempWorld } from './support/cli-harness.js';

// `stowage cp -r` and `stowage sync` of a bucket whose keys include `..` and `m/../x` among 40 good
// ones: each bad key fails on its own (a `failed` line, counted in the summary), every good key is
// copied, and the exit code says something failed. A dry run lists the bad keys as uncopyable.
const BAD = ['..', 'm/../x'];
const GOOD = Array.from({ length: 40 }, (_, i) => `good/${String(i).padStart(2, '0')}.txt`);
let moto: S3ServerHandle;
let world: Awaited<ReturnType<typeof tempWorld>>;
let env: Record<string, string>;

/** A raw HTTP request to moto (which accepts unsigned requests): paths as given, never normalised. */
function put(path: string, body = ''): Promise<void> {
  const url = new URL(moto.endpoint);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: 'PUT', path }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 200 ? resolve() : reject(new Error(`PUT ${path}: ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  moto = await startMotoServer();
  await put('/tree');
  for (const key of [...GOOD, ...BAD]) await put(`/tree/${key}`, `body of ${key}`);
  world = await tempWorld({
    credentials: `[default]\naws_access_key_id = testing\naws_secret_access_key = testing\n`,
  });
  env = cleanEnv(world.home);
}, 120_000);
afterAll(async () => {
  await moto?.close();
  await world?.cleanup();
});

const s3Flags = () => ['--endpoint', moto.endpoint, '--region', 'us-east-1'];

async function filesUnder(root: string): Promise<number> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).length;
}

describe('trees with keys a directory cannot hold', () => {
  for (const command of ['cp', 'sync']) {
    it(`${command}: good keys copied, each bad key a failed line, exit code of the failure`, async () => {
      const out = join(world.work, `${command}-out`);
      await mkdir(out);
      const args =
        command === 'cp' ? ['cp', '-r', 's3://tree/', `${out}/`] : ['sync', 's3://tree/', `${out}/`];
      const result = await runCli([...args, ...s3Flags()], { env, cwd: world.work });
      expect(result.code, result.stderr).toBe(2);
      expect(await filesUnder(out)).toBe(GOOD.length);
      for (const key of BAD) expect(result.stderr).toContain(`failed s3://tree/${key}`);
      expect(`${result.stdout}${result.stderr}`).toMatch(/failed 2\b/);
    });
  }

  it('sync --dry-run names the uncopyable keys and writes nothing', async () => {
    const out = join(world.work, 'dry-out');
    await mkdir(out);
    const result = await runCli(['sync', 's3://tree/', `${out}/`, '--dry-run', '--json', ...s3Flags()], {
      env,
      cwd: world.work,
    });
    expect(result.code, result.stderr).toBe(0);
    const lines = jsonLines(result.stdout);
    const refused = lines.filter((l) => l.action === 'refuse');
    expect(refused.map((l) => l.source).sort()).toEqual(BAD.map((k) => `s3://tree/${k}`).sort());
    expect(lines.filter((l) => l.action === 'copy')).toHaveLength(GOOD.length);
    expect(await readdir(out)).toEqual([]);
  });
});
