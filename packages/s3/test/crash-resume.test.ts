import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import { createStorage, FsProvider, isTempName, partialPaths } from '@stowage/core';
import type { FaultProxy, S3ServerHandle } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MotoGround, payload, providerFor, sha256Of, startMotoGround } from './support/s3-fixture.js';

// Restart-safe resume against a real crash: the transfer runs in a child process that is killed
// with SIGKILL (no cleanup, no final state save) once some parts are done; a rerun in this process
// must continue from what the dead one left, not start over, and end byte-identical.
const MiB = 1024 * 1024;
const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHILD = join(PACKAGE_DIR, 'test/support/crash-child.mjs');
const PART = 5 * MiB;
const PARTS = 8;
let ground: MotoGround;
let server: S3ServerHandle;
let proxy: FaultProxy;
let raw: S3Client;
let bucket: string;
let dir: string;

beforeAll(async () => {
  // The child runs the built packages: bring them up to date (incremental, quick when they are).
  await promisify(execFile)(process.execPath, [join(PACKAGE_DIR, 'node_modules/typescript/bin/tsc'), '-b'], {
    cwd: PACKAGE_DIR,
    timeout: 120_000,
  });
  ground = await startMotoGround('crash');
  ({ server, proxy, raw, bucket } = ground);
  dir = await mkdtemp(join(tmpdir(), 'stowage-crash-'));
}, 150_000);
afterAll(async () => {
  await ground?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function storage() {
  return createStorage({
    providers: [new FsProvider(), providerFor({ ...server, endpoint: proxy.endpoint })],
  });
}

/** Start the copy in a child process (through the proxy, so the test sees and slows its requests). */
function startChild(source: string, destination: string, options: Record<string, unknown>): ChildProcess {
  const job = {
    endpoint: proxy.endpoint,
    region: server.region,
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
    source,
    destination,
    options,
  };
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
  return spawn(process.execPath, [CHILD, JSON.stringify(job)], { cwd: PACKAGE_DIR, env, stdio: 'ignore' });
}

/** A resume journal as the engine writes it: a header line, then one line per finished part. */
function parseJournal<H, R>(text: string): { header: H; records: R[] } | undefined {
  const lines = text.split('\n').filter((line) => line !== '');
  try {
    return {
      header: JSON.parse(lines[0] ?? '') as H,
      records: lines.slice(1).map((l) => JSON.parse(l) as R),
    };
  } catch {
    return undefined; // caught mid-append; poll again
  }
}

/** Poll a resume journal until `ready` says so; bounded in time. */
async function waitForState<H, R>(
  path: () => Promise<string | undefined>,
  ready: (s: { header: H; records: R[] }) => boolean,
): Promise<{ header: H; records: R[] }> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const file = await path();
    if (file) {
      const state = await readFile(file, 'utf8').then(
        (text) => parseJournal<H, R>(text),
        () => undefined,
      );
      if (state && ready(state)) return state;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the child never reached the expected state');
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('resume after the process was killed (SIGKILL) mid-transfer', () => {
  it('a ranged download continues from its temp file and fetches only the missing parts', async () => {
    const data = payload(PARTS * PART);
    await storage().write(`s3://${bucket}/down.bin`, data);
    const key = `/${bucket}/down.bin`;
    proxy.inject({
      match: { method: 'GET', path: key, headers: { range: /^bytes=/ } },
      action: { kind: 'latency', ms: 300 },
      times: Number.POSITIVE_INFINITY,
    });
    const target = join(dir, 'down.bin');
    const options = { partSize: PART, concurrency: 2, multipartThreshold: PART };
    const child = startChild(`s3://${bucket}/down.bin`, target, options);
    const { partial, state } = partialPaths(target);
    const seen = await waitForState<unknown, number>(
      async () => state,
      (s) => s.records.length >= 2,
    );
    await kill(child);
    expect(seen.records.length).toBeLessThan(PARTS);
    // What the dead process left: a partial file and its state, no destination.
    const left = await readdir(dir);
    expect(left).toContain(partial.slice(dir.length + 1));
    expect(left).not.toContain('down.bin');
    const saved = parseJournal<unknown, number>(await readFile(state, 'utf8'))!;

    proxy.clear();
    const before = proxy.requests.length;
    const result = await storage().copy(`s3://${bucket}/down.bin`, target, options);
    const ranged = proxy.requests
      .slice(before)
      .filter((r) => r.method === 'GET' && r.path === key && r.headers.range !== undefined);
    expect(result.strategy).toBe('ranged-download');
    // Every part on record is reused (no request covers one); a part that finished after the
    // kill's last append is fetched again. The first request starts at the first missing part.
    const recorded = new Set(saved.records);
    const missing = Array.from({ length: PARTS }, (_, i) => i + 1).filter((n) => !recorded.has(n));
    expect(ranged.length).toBeGreaterThanOrEqual(1);
    expect(ranged[0]!.headers.range).toMatch(new RegExp(`^bytes=${(missing[0]! - 1) * PART}-`));
    for (const r of ranged) {
      const [, from, to] = /^bytes=(\d+)-(\d+)$/.exec(r.headers.range!)!.map(Number) as [
        number,
        number,
        number,
      ];
      for (const n of recorded) expect(to < (n - 1) * PART || from > n * PART - 1).toBe(true);
    }
    expect(await sha256Of(await readFile(target))).toBe(await sha256Of(data));
    expect((await readdir(dir)).filter(isTempName)).toEqual([]);
  });

  it('a multipart upload continues its upload id and sends only the missing parts', async () => {
    const data = payload(PARTS * PART);
    const source = join(dir, 'up.bin');
    await writeFile(source, data);
    const stateDir = join(dir, 'upload-state');
    proxy.inject({
      match: { method: 'PUT', query: { partNumber: true, uploadId: true } },
      action: { kind: 'latency', ms: 300 },
      times: Number.POSITIVE_INFINITY,
    });
    const options = { partSize: PART, concurrency: 2, multipartThreshold: PART, stateDir };
    const child = startChild(source, `s3://${bucket}/up.bin`, options);
    const stateFile = async () => {
      const names = await readdir(stateDir).catch(() => [] as string[]);
      const name = names.find((n) => n.endsWith('.json'));
      return name === undefined ? undefined : join(stateDir, name);
    };
    const seen = await waitForState<{ uploadId: string }, unknown>(stateFile, (s) => s.records.length >= 2);
    await kill(child);
    expect(seen.records.length).toBeLessThan(PARTS);
    const uploadId = seen.header.uploadId;
    const open = await raw.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(open.Uploads?.map((u) => u.UploadId)).toContain(uploadId);

    proxy.clear();
    const before = proxy.requests.length;
    const result = await storage().copy(source, `s3://${bucket}/up.bin`, options);
    const parts = proxy.requests
      .slice(before)
      .filter((r) => r.method === 'PUT' && r.query.get('uploadId') === uploadId);
    expect(result.strategy).toBe('multipart-upload');
    // The dead process may have finished parts after its last state save; those are re-sent, never more.
    expect(parts.length).toBeLessThanOrEqual(PARTS - seen.records.length);
    expect(parts.length).toBeGreaterThan(0);
    const after = await raw.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(after.Uploads ?? []).toEqual([]);
    const stored = await storage().read(`s3://${bucket}/up.bin`);
    expect(await sha256Of(stored)).toBe(await sha256Of(data));
    expect(await readdir(stateDir)).toEqual([]);
  });
});
