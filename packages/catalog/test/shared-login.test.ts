import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type LocalCatalog, startCatalogServer } from '@stowage/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, testCatalog } from './support/catalog-fixture.js';

// Batch jobs run many worker processes on one login. The registry rotates refresh tokens (a used
// one dies), so workers that refresh at once must exchange once per rotation between them. These
// are real processes running the built package, started at one instant.
const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const WORKER = join(PACKAGE_DIR, 'test/support/login-worker.mjs');

let local: LocalCatalog;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  // The workers run the built packages: bring them up to date (incremental, quick when they are).
  await promisify(execFile)(process.execPath, [join(PACKAGE_DIR, 'node_modules/typescript/bin/tsc'), '-b'], {
    cwd: PACKAGE_DIR,
    timeout: 120_000,
  });
  local = await startCatalogServer({ accessTokenTtlSeconds: 5 });
}, 150_000);
afterAll(async () => {
  await local?.stop();
});
afterEach(async () => {
  local.faults.latencyMs = undefined;
  while (cleanups.length) await cleanups.pop()!();
});

interface Outcome {
  ok: boolean;
  name?: string;
  code?: string;
  message?: string;
}

/** A worker process: `go()` asks it for one registry call; `outcome()` waits for the next answer. */
interface Worker {
  child: ChildProcess;
  go(): void;
  outcome(): Promise<Outcome>;
  stop(): Promise<void>;
}

async function startWorker(dir: string): Promise<Worker> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
  const child = spawn(process.execPath, [WORKER, dir], {
    cwd: PACKAGE_DIR,
    env,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.stdin!.on('error', () => undefined); // a killed worker's closed pipe
  const lines: Interface = createInterface({ input: child.stdout! });
  const queue: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  lines.on('line', (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else queue.push(line);
  });
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const queued = queue.shift();
      if (queued !== undefined) return resolve(queued);
      const timer = setTimeout(() => reject(new Error(`worker ${child.pid} said nothing for 20 s`)), 20_000);
      waiting.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const worker: Worker = {
    child,
    go: () => child.stdin!.write('go\n'),
    outcome: async () => JSON.parse(await nextLine()) as Outcome,
    stop: async () => {
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  cleanups.push(() => worker.stop());
  expect(await nextLine()).toBe('ready');
  return worker;
}

async function loggedInDir(): Promise<{ dir: string; tokenFile: string }> {
  const dir = await tempDir();
  cleanups.push(dir.cleanup);
  const catalog = testCatalog(dir.path);
  await catalog.config(local.catalogUrl);
  await catalog.loginWithToken(local.issueCode());
  return { dir: dir.path, tokenFile: catalog.tokenFile(local.registryUrl) };
}

/** Wait (bounded) until the stored access token has really expired: whoever calls must refresh. */
async function untilStoredTokenExpired(tokenFile: string): Promise<void> {
  const stored = JSON.parse(await readFile(tokenFile, 'utf8')) as { expires_at: number };
  const deadline = Date.now() + 10_000;
  while (Date.now() <= stored.expires_at * 1000 + 50 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The lock file's holder pid, or undefined (no lock, or one not written yet). */
async function lockHolderPid(lockFile: string): Promise<number | undefined> {
  try {
    return (JSON.parse(await readFile(lockFile, 'utf8')) as { pid?: number }).pid;
  } catch {
    return undefined;
  }
}

const refusedExchanges = () =>
  local.requests.filter((r) => r.path === '/api/token' && r.status !== 200).length;

describe('processes sharing one login', () => {
  it('6 workers refreshing at once after the access token expired: all succeed, one exchange per rotation, 3 rounds', async () => {
    const { dir, tokenFile } = await loggedInDir();
    const workers = await Promise.all(Array.from({ length: 6 }, () => startWorker(dir)));
    for (let round = 1; round <= 3; round++) {
      await untilStoredTokenExpired(tokenFile);
      const exchangesBefore = local.count('/api/token');
      const refusedBefore = refusedExchanges();
      for (const worker of workers) worker.go(); // one instant: no await between them
      const outcomes = await Promise.all(workers.map((w) => w.outcome()));
      expect(outcomes, `round ${round}`).toEqual(workers.map(() => ({ ok: true, name: 'alice' })));
      expect(local.count('/api/token') - exchangesBefore, `round ${round}`).toBe(1);
      expect(refusedExchanges() - refusedBefore, `round ${round}`).toBe(0);
    }
    // The login on disk is the live one.
    const final = JSON.parse(await readFile(tokenFile, 'utf8')) as { refresh_token: string };
    expect(local.isRefreshTokenLive(final.refresh_token)).toBe(true);
  }, 90_000);

  it('a worker killed (SIGKILL) while it holds the login lock does not stop the others', async () => {
    const { dir, tokenFile } = await loggedInDir();
    const lockFile = `${tokenFile}.lock`;
    const others = await Promise.all(Array.from({ length: 4 }, () => startWorker(dir)));
    const victim = await startWorker(dir);
    // Its exchange hangs at the registry (longer than this test), so it sits inside the lock when
    // it dies, and the registry never acts on it while the others run.
    await untilStoredTokenExpired(tokenFile);
    local.faults.latencyMs = 45_000;
    victim.go();
    const deadline = Date.now() + 10_000;
    let holder = await lockHolderPid(lockFile);
    while (holder !== victim.child.pid && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      holder = await lockHolderPid(lockFile);
    }
    expect(holder).toBe(victim.child.pid);
    const gone = new Promise((resolve) => victim.child.once('exit', resolve));
    victim.child.kill('SIGKILL');
    await gone;
    local.faults.latencyMs = undefined;

    // The lock file is still there, held by a dead process; the others take it over at once (the
    // pid is checked), not after the age bound (25 s with the workers' 10 s registry timeout), and
    // refresh once between them.
    const exchangesBefore = local.count('/api/token');
    const refusedBefore = refusedExchanges();
    const started = Date.now();
    for (const worker of others) worker.go();
    const outcomes = await Promise.all(others.map((w) => w.outcome()));
    expect(outcomes).toEqual(others.map(() => ({ ok: true, name: 'alice' })));
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(local.count('/api/token') - exchangesBefore).toBe(1);
    expect(refusedExchanges() - refusedBefore).toBe(0);
    await expect(readFile(lockFile)).rejects.toMatchObject({ code: 'ENOENT' });
  }, 60_000);
});
