// The hashing thread's own module (see HashingThread): the same DigestSet as every other digest in
// Stowage, fed from the file at the ranges the parent posts, in order.
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { type DigestAlgorithm, DigestSet } from './digest-set.js';

/** What the parent posts: a range to hash next, or the end. */
type Message = { start: number; end: number } | { finish: true };

const { path, algorithms } = workerData as { path: string; algorithms: DigestAlgorithm[] };
const port = parentPort!;
const fd = openSync(path, 'r');
const digests = new DigestSet(algorithms);
const buffer = Buffer.allocUnsafe(1024 * 1024);

port.on('message', (message: Message) => {
  try {
    if ('finish' in message) {
      closeSync(fd);
      port.postMessage({ digests: digests.raw() });
      return;
    }
    let position = message.start;
    while (position <= message.end) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, message.end + 1 - position), position);
      if (n === 0) throw new Error(`file ends at ${position}, before ${message.end + 1}`);
      digests.update(buffer.subarray(0, n));
      position += n;
    }
  } catch (error) {
    port.postMessage({ error: String((error as Error)?.message ?? error) });
  }
});
