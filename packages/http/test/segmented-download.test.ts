import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseUri } from '@stowage/core';
import { type HttpTestServer, startHttpServer } from '@stowage/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpProvider } from '../src/index.js';
import { namesIn, payload, removeDir, scratch, serve } from './support.js';

const MiB = 1024 * 1024;
const SEGMENT = 256 * 1024;

describe('downloadToFile', () => {
  let server: HttpTestServer;
  let out: string;
  const provider = new HttpProvider({ segmentSize: SEGMENT, concurrency: 4 });
  const data = payload(2 * MiB + 12_345);
  beforeAll(async () => {
    server = await startHttpServer({ digests: ['repr-digest'] });
    await serve(server, 'big.bin', data);
    out = await scratch();
  });
  afterAll(async () => {
    await provider.close();
    await server.close();
    await removeDir(out);
  });
  afterEach(() => server.clearFaults());
  const url = () => server.urlFor('big.bin');

  it('downloads in ranged, pinned reads from byte 0 (more lanes only while they pay), verified by Repr-Digest', async () => {
    const before = server.requests.length;
    let last = 0;
    const result = await provider.downloadToFile(url(), join(out, 'a.bin'), {
      onProgress: (done) => {
        last = done;
      },
    });
    expect(result).toMatchObject({ mode: 'segmented', size: data.length, restarts: 0, verified: ['sha256'] });
    expect((await readFile(join(out, 'a.bin'))).equals(data)).toBe(true);
    expect(last).toBe(data.length);
    const gets = server.requests.slice(before).filter((r) => r.method === 'GET');
    expect(gets[0]!.headers.range).toBe(`bytes=0-${data.length - 1}`);
    expect(gets.length).toBeLessThanOrEqual(Math.ceil(data.length / SEGMENT));
    expect(gets.every((r) => r.headers.range && r.headers['if-range'])).toBe(true);
    expect(await namesIn(out)).toEqual(['a.bin']);
  });

  it('survives a connection dropped mid-segment with a byte-identical file', async () => {
    server.setFault({ kind: 'drop', path: 'big.bin', afterBytes: 100_000, times: 3 });
    const result = await provider.downloadToFile(url(), join(out, 'b.bin'));
    expect(result.verified).toEqual(['sha256']);
    expect((await readFile(join(out, 'b.bin'))).equals(data)).toBe(true);
    const resumedMidSegment = server.requests.filter(
      (r) => r.headers.range && Number(/bytes=(\d+)/.exec(r.headers.range)![1]) % SEGMENT !== 0,
    );
    expect(resumedMidSegment.length).toBeGreaterThanOrEqual(1);
  });

  it('detects a file changed mid-download and starts over instead of splicing versions', async () => {
    const key = 'changing.bin';
    await serve(server, key, data);
    const next = payload(data.length);
    // The first GET breaks off; the GET that continues it sees the new content.
    server.setFault({ kind: 'drop', path: key, afterBytes: 300_000, times: 1 });
    server.setFault({ kind: 'change', path: key, afterRequests: 1, content: next });
    const result = await provider.downloadToFile(server.urlFor(key), join(out, 'c.bin'), { concurrency: 1 });
    expect(result.restarts).toBe(1);
    expect((await readFile(join(out, 'c.bin'))).equals(next)).toBe(true);
  });

  it('fails with PreconditionFailed and leaves nothing when changes exceed maxRestarts', async () => {
    const key = 'changing2.bin';
    await serve(server, key, data);
    server.setFault({ kind: 'drop', path: key, afterBytes: 300_000, times: 1 });
    server.setFault({ kind: 'change', path: key, afterRequests: 1, content: payload(data.length) });
    const dir = await scratch();
    try {
      await expect(
        provider.downloadToFile(server.urlFor(key), join(dir, 'c.bin'), { concurrency: 1, maxRestarts: 0 }),
      ).rejects.toMatchObject({ code: 'PreconditionFailed' });
      expect(await namesIn(dir)).toEqual([]);
    } finally {
      await removeDir(dir);
    }
  });

  it('falls back to one stream when the server advertises ranges but answers 200', async () => {
    const liar = await startHttpServer({ noRanges: 'advertised' });
    try {
      await serve(liar, 'big.bin', data);
      const result = await provider.downloadToFile(liar.urlFor('big.bin'), join(out, 'd.bin'));
      expect(result.mode).toBe('single');
      expect((await readFile(join(out, 'd.bin'))).equals(data)).toBe(true);
    } finally {
      await liar.close();
    }
  });

  it('uses one stream when the server has no ranges', async () => {
    const plain = await startHttpServer({ noRanges: true });
    try {
      await serve(plain, 'big.bin', data);
      const result = await provider.downloadToFile(plain.urlFor('big.bin'), join(out, 'e.bin'));
      expect(result.mode).toBe('single');
      expect((await readFile(join(out, 'e.bin'))).equals(data)).toBe(true);
      expect(plain.requests.filter((r) => r.method === 'GET')).toHaveLength(1);
      // A cut body is fetched again whole and the bytes already written are skipped, never spliced.
      plain.setFault({ kind: 'drop', path: 'big.bin', afterBytes: 500_000, times: 1 });
      await provider.downloadToFile(plain.urlFor('big.bin'), join(out, 'e2.bin'));
      expect((await readFile(join(out, 'e2.bin'))).equals(data)).toBe(true);
      expect(plain.requests.filter((r) => r.method === 'GET')).toHaveLength(3);
    } finally {
      await plain.close();
    }
  });

  it('resumes an interrupted download from its saved segments', async () => {
    const dir = await scratch();
    try {
      const controller = new AbortController();
      server.setFault({ kind: 'slow', path: 'big.bin', bytesPerSecond: 4 * MiB });
      const first = provider.downloadToFile(url(), join(dir, 'f.bin'), {
        resume: true,
        concurrency: 2,
        signal: controller.signal,
        onProgress: (done) => {
          if (done > MiB) controller.abort();
        },
      });
      await expect(first).rejects.toMatchObject({ code: 'Aborted' });
      const left = await namesIn(dir);
      expect(left.some((n) => n.endsWith('.json'))).toBe(true);
      expect(left).not.toContain('f.bin');
      server.clearFaults();
      const before = server.requests.length;
      const second = await provider.downloadToFile(url(), join(dir, 'f.bin'), {
        resume: true,
        concurrency: 2,
      });
      expect(second.resumed).toBe(true);
      expect((await readFile(join(dir, 'f.bin'))).equals(data)).toBe(true);
      const fetched = server.requests.slice(before).filter((r) => r.method === 'GET').length;
      expect(fetched).toBeLessThan(Math.ceil(data.length / SEGMENT));
      expect(await namesIn(dir)).toEqual(['f.bin']);
    } finally {
      await removeDir(dir);
    }
  });

  it('starts over when the partial download belongs to an older version', async () => {
    const dir = await scratch();
    const key = 'versioned.bin';
    await serve(server, key, data);
    try {
      const controller = new AbortController();
      server.setFault({ kind: 'slow', path: key, bytesPerSecond: 4 * MiB });
      await expect(
        provider.downloadToFile(server.urlFor(key), join(dir, 'g.bin'), {
          resume: true,
          concurrency: 2,
          signal: controller.signal,
          onProgress: (done) => done > MiB / 2 && controller.abort(),
        }),
      ).rejects.toMatchObject({ code: 'Aborted' });
      server.clearFaults();
      const next = payload(data.length);
      await serve(server, key, next);
      const result = await provider.downloadToFile(server.urlFor(key), join(dir, 'g.bin'), { resume: true });
      expect(result.resumed).toBe(false);
      expect((await readFile(join(dir, 'g.bin'))).equals(next)).toBe(true);
    } finally {
      await removeDir(dir);
    }
  });

  it('aborts promptly and leaves nothing without resume', async () => {
    const dir = await scratch();
    try {
      server.setFault({ kind: 'slow', path: 'big.bin', bytesPerSecond: MiB });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 150);
      const started = Date.now();
      await expect(
        provider.downloadToFile(url(), join(dir, 'h.bin'), { signal: controller.signal }),
      ).rejects.toMatchObject({ code: 'Aborted' });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(await namesIn(dir)).toEqual([]);
    } finally {
      await removeDir(dir);
    }
  });

  it('downloads an empty file and a small file in one stream', async () => {
    await serve(server, 'empty.bin', '');
    await serve(server, 'small.bin', 'hello');
    expect((await provider.downloadToFile(server.urlFor('empty.bin'), join(out, 'empty.bin'))).size).toBe(0);
    const small = await provider.downloadToFile(parseUri(server.urlFor('small.bin')), join(out, 'small.bin'));
    expect(small.mode).toBe('single');
    expect(await readFile(join(out, 'small.bin'), 'utf8')).toBe('hello');
  });
});
