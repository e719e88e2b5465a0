import { Worker } from 'node:worker_threads';
import type { Checksums } from '../provider/provider.js';
import { type DigestAlgorithm, encodeDigests, type RawDigests } from './digest-set.js';

/**
 * The worker's module: `hashing-worker.js` beside this one in the build. Run from the TypeScript
 * sources (the tests), it is the compiled one in `dist/`, since a worker thread runs JavaScript
 * only; the package's tests build it first.
 */
function workerModule(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('../../dist/integrity/hashing-worker.js', import.meta.url)
    : new URL('./hashing-worker.js', import.meta.url);
}

/**
 * Hashes byte ranges of a file on a worker thread, in the order they are given, so a large
 * download's verification uses a second core instead of the thread that drives the sockets.
 */
export class HashingThread {
  private readonly worker: Worker;
  private readonly result: Promise<RawDigests>;

  /** Start a thread over the file at `path` (read-only) for `algorithms`. */
  constructor(path: string, algorithms: readonly DigestAlgorithm[]) {
    this.worker = new Worker(workerModule(), { workerData: { path, algorithms } });
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
