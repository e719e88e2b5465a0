import { Worker } from 'node:worker_threads';
import type { Checksums } from '../provider/provider.js';
import { type DigestAlgorithm, encodeDigests, type RawDigests } from './digest-set.js';

// Plain JavaScript, run with `eval`: a worker file would have to be found next to the compiled
// module, which differs between the published build and tests running the TypeScript sources.
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { crc32 } = require('node:zlib');
const { openSync, readSync, closeSync } = require('node:fs');
const fd = openSync(workerData.path, 'r');
const hashes = workerData.algorithms.filter((a) => a !== 'crc32').map((a) => [a, createHash(a)]);
let crc = workerData.algorithms.includes('crc32') ? 0 : undefined;
const buffer = Buffer.allocUnsafe(1024 * 1024);
parentPort.on('message', (message) => {
  try {
    if (message.finish) {
      closeSync(fd);
      const out = {};
      for (const [name, hash] of hashes) out[name] = hash.digest();
      if (crc !== undefined) out.crc32 = crc;
      parentPort.postMessage({ digests: out });
      return;
    }
    let position = message.start;
    while (position <= message.end) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, message.end + 1 - position), position);
      if (n === 0) throw new Error('file ends at ' + position + ', before ' + (message.end + 1));
      const bytes = buffer.subarray(0, n);
      for (const [, hash] of hashes) hash.update(bytes);
      if (crc !== undefined) crc = crc32(bytes, crc);
      position += n;
    }
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
});
`;

/**
 * Hashes byte ranges of a file on a worker thread, in the order they are given, so a large
 * download's verification uses a second core instead of the thread that drives the sockets.
 */
export class HashingThread {
  private readonly worker: Worker;
  private readonly result: Promise<RawDigests>;

  /** Start a thread over the file at `path` (read-only) for `algorithms`. */
  constructor(path: string, algorithms: readonly DigestAlgorithm[]) {
    this.worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { path, algorithms } });
    this.worker.unref();
    this.result = new Promise<RawDigests>((resolve, reject) => {
      this.worker.on('message', (message: { digests?: RawDigests; error?: string }) => {
        if (message.error !== undefined) reject(new Error(`hashing thread: ${message.error}`));
        else if (message.digests) resolve(message.digests);
      });
      this.worker.once('error', reject);
      this.worker.once('exit', (code) => reject(new Error(`hashing thread exited (${code})`)));
    });
    // Seen by finish(); an unobserved early failure must not become an unhandled rejection.
    this.result.catch(() => undefined);
  }

  /** Hash bytes `start`..`end` (inclusive) next. */
  hash(start: number, end: number): void {
    this.worker.postMessage({ start, end });
  }

  /** The digests of everything hashed, encoded as `Checksums`; ends the thread. */
  async finish(): Promise<Checksums> {
    this.worker.postMessage({ finish: true });
    try {
      return encodeDigests(await this.result);
    } finally {
      await this.worker.terminate();
    }
  }

  /** End the thread without a result. */
  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
