import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FsProvider,
  MemoryProvider,
  ProgressMeter,
  parseUri,
  partialPaths,
  readAll,
  uploadStatePath,
} from '../src/index.js';
import { defaultStateDir, multipartUpload } from '../src/transfer/multipart-upload.js';
import { rangedDownload } from '../src/transfer/ranged-download.js';
import { loadJournal } from '../src/transfer/resume-state.js';
import { faulty } from './support/faulty-provider.js';

const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-resume-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const quiet = { onRetry: () => undefined, retry: { maxAttempts: 1 } };

describe('restart-safe resume', () => {
  it('a ranged download interrupted by a crash resumes from its partial file, fetching only missing parts', async () => {
    const memory = new MemoryProvider();
    const uri = parseUri('mem://b/big');
    const data = randomBytes(20 * MiB);
    await memory.write(uri, data);
    const stat0 = await memory.stat(uri);
    const destinationPath = join(dir, 'big');
    const base = {
      source: uri,
      sourceStat: stat0,
      destinationPath,
      partSize: 4 * MiB,
      concurrency: 1,
      resume: true,
      ...quiet,
    };

    // First run dies at part 4 (offset 12 MiB), as a crash would: partial file and state stay.
    const crashing = faulty(memory, { cutAtOffset: 12 * MiB });
    await expect(
      rangedDownload({
        ...base,
        provider: crashing.provider,
        keepPartialOnFailure: true,
        signal: new AbortController().signal,
        meter: new ProgressMeter(() => undefined),
        onWarning: () => undefined,
      }),
    ).rejects.toThrow(/injected/);
    const { partial, state } = partialPaths(destinationPath);
    expect(crashing.stats.ranges.map((r) => r.start)).toEqual([0]);
    expect((await stat(partial)).size).toBe(data.length);
    expect((await loadJournal(state))?.records).toEqual([1, 2, 3]);

    const second = faulty(memory, {});
    // Progress counts the parts kept from the first run; what moved (a download cap's count) does not.
    let moved = 0;
    const meter = new ProgressMeter(() => undefined, { onMoved: (bytes) => (moved += bytes) });
    const result = await rangedDownload({
      ...base,
      provider: second.provider,
      keepPartialOnFailure: false,
      signal: new AbortController().signal,
      meter,
      onWarning: () => undefined,
    });
    // One lane, one request for the missing tail.
    expect(second.stats.ranges).toEqual([{ start: 12 * MiB, end: 20 * MiB - 1 }]);
    expect(meter.total).toBe(data.length);
    expect(moved).toBe(8 * MiB);
    expect(result.verified).toContain('size');
    expect(sha(await readFile(destinationPath))).toBe(sha(data));
    await expect(stat(partial)).rejects.toThrow();
    await expect(stat(state)).rejects.toThrow();
  });

  it('every finished part is on record the moment it finishes, not on a timer (a kill loses only parts in flight)', async () => {
    const memory = new MemoryProvider();
    const uri = parseUri('mem://b/hung');
    await memory.write(uri, randomBytes(16 * MiB));
    const destinationPath = join(dir, 'hung');
    // Parts 1-3 finish within milliseconds of each other; part 4 hangs, as a process about to be
    // killed would. What the journal holds at that moment is what a rerun can reuse.
    const hung = faulty(memory, { stallAtOffset: 12 * MiB });
    const controller = new AbortController();
    const running = rangedDownload({
      provider: hung.provider,
      source: uri,
      sourceStat: await memory.stat(uri),
      destinationPath,
      partSize: 4 * MiB,
      concurrency: 1,
      resume: true,
      keepPartialOnFailure: true,
      signal: controller.signal,
      meter: new ProgressMeter(() => undefined),
      onWarning: () => undefined,
      ...quiet,
    });
    running.catch(() => undefined);
    const { state } = partialPaths(destinationPath);
    const deadline = Date.now() + 10_000;
    while (hung.stats.stalled < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    const recorded = (await loadJournal<unknown, number>(state))?.records;
    controller.abort();
    await expect(running).rejects.toThrow();
    expect(recorded).toEqual([1, 2, 3]);
  });

  it('a ranged download starts over when the source changed since the crash', async () => {
    const memory = new MemoryProvider();
    const uri = parseUri('mem://b/big');
    await memory.write(uri, randomBytes(12 * MiB));
    const destinationPath = join(dir, 'big');
    const crashing = faulty(memory, { cutAtOffset: 8 * MiB });
    const common = {
      source: uri,
      destinationPath,
      partSize: 4 * MiB,
      concurrency: 1,
      resume: true,
      meter: new ProgressMeter(() => undefined),
      ...quiet,
    };
    await expect(
      rangedDownload({
        ...common,
        provider: crashing.provider,
        sourceStat: await memory.stat(uri),
        keepPartialOnFailure: true,
        signal: new AbortController().signal,
        onWarning: () => undefined,
      }),
    ).rejects.toThrow();
    const changed = randomBytes(12 * MiB);
    await memory.write(uri, changed);
    const warnings: string[] = [];
    const fresh = faulty(memory, {});
    await rangedDownload({
      ...common,
      provider: fresh.provider,
      sourceStat: await memory.stat(uri),
      keepPartialOnFailure: false,
      signal: new AbortController().signal,
      onWarning: (code) => warnings.push(code),
    });
    expect(warnings).toEqual(['resume-discarded']);
    expect(fresh.stats.ranges).toEqual([{ start: 0, end: 12 * MiB - 1 }]);
    expect(sha(await readFile(destinationPath))).toBe(sha(changed));
  });

  it('a multipart upload continues from its saved upload id and parts', async () => {
    const fs = new FsProvider();
    const target = new MemoryProvider();
    const data = randomBytes(16 * MiB);
    const source = parseUri(join(dir, 'src.bin'));
    await fs.write(source, data);
    const destination = parseUri('mem://b/dst.bin');
    const stateDir = join(dir, 'state');
    const common = {
      source,
      destination,
      destinationProvider: target,
      partSize: 5 * MiB,
      concurrency: 1,
      resume: true,
      stateDir,
      meter: new ProgressMeter(() => undefined),
      onWarning: () => undefined,
      ...quiet,
    };
    const crashing = faulty(fs, { failFromOffset: 10 * MiB });
    await expect(
      multipartUpload({
        ...common,
        sourceProvider: crashing.provider,
        sourceStat: await fs.stat(source),
        keepPartialOnFailure: true,
        signal: new AbortController().signal,
      }),
    ).rejects.toThrow();
    const saved = await loadJournal<{ uploadId: string }, { partNumber: number }>(
      uploadStatePath(stateDir, source, destination),
    );
    expect(saved?.records.map((p) => p.partNumber)).toEqual([1, 2]);
    expect(target.openUploads().map((u) => u.uploadId)).toEqual([saved?.header.uploadId]);

    const second = faulty(fs, {});
    let moved = 0;
    const meter = new ProgressMeter(() => undefined, { onMoved: (bytes) => (moved += bytes) });
    await multipartUpload({
      ...common,
      meter,
      sourceProvider: second.provider,
      sourceStat: await fs.stat(source),
      keepPartialOnFailure: false,
      signal: new AbortController().signal,
    });
    expect(second.stats.ranges.map((r) => r.start)).toEqual([10 * MiB, 15 * MiB]);
    // The two parts uploaded by the first run count for progress, not as moved bytes.
    expect(meter.total).toBe(data.length);
    expect(moved).toBe(6 * MiB);
    expect(sha(await readAll(await target.read(destination)))).toBe(sha(data));
    expect(target.openUploads()).toEqual([]);
    await expect(stat(uploadStatePath(stateDir, source, destination))).rejects.toThrow();
  });

  it('a multipart upload whose source changed aborts the old upload and starts over', async () => {
    const fs = new FsProvider();
    const target = new MemoryProvider();
    const source = parseUri(join(dir, 'src.bin'));
    await fs.write(source, randomBytes(12 * MiB));
    const destination = parseUri('mem://b/dst.bin');
    const stateDir = join(dir, 'state');
    const common = {
      source,
      destination,
      destinationProvider: target,
      partSize: 5 * MiB,
      concurrency: 1,
      resume: true,
      stateDir,
      meter: new ProgressMeter(() => undefined),
      ...quiet,
    };
    await expect(
      multipartUpload({
        ...common,
        sourceProvider: faulty(fs, { failFromOffset: 5 * MiB }).provider,
        sourceStat: await fs.stat(source),
        keepPartialOnFailure: true,
        signal: new AbortController().signal,
        onWarning: () => undefined,
      }),
    ).rejects.toThrow();
    const oldUpload = target.openUploads()[0]!.uploadId;
    const changed = randomBytes(12 * MiB + 1);
    await fs.write(source, changed);
    const warnings: string[] = [];
    await multipartUpload({
      ...common,
      sourceProvider: fs,
      sourceStat: await fs.stat(source),
      keepPartialOnFailure: false,
      signal: new AbortController().signal,
      onWarning: (c) => warnings.push(c),
    });
    expect(warnings).toEqual(['resume-discarded']);
    expect(target.openUploads().find((u) => u.uploadId === oldUpload)).toBeUndefined();
    expect(sha(await readAll(await target.read(destination)))).toBe(sha(changed));
  });
});

describe('where upload state lives', () => {
  it('uses $XDG_CACHE_HOME when absolute, ~/.cache when it is unset, empty or relative', () => {
    const fallback = join(homedir(), '.cache', 'stowage', 'uploads');
    expect(defaultStateDir({ XDG_CACHE_HOME: '/var/cache/u' })).toBe('/var/cache/u/stowage/uploads');
    expect(defaultStateDir({})).toBe(fallback);
    expect(defaultStateDir({ XDG_CACHE_HOME: '' })).toBe(fallback);
    expect(defaultStateDir({ XDG_CACHE_HOME: 'relative/cache' })).toBe(fallback);
  });
});
