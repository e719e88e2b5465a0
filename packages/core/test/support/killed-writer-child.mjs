// Starts transfers into a directory that never finish, so the parent can kill this process with
// SIGKILL mid-way and look at what is left: the temp file of a tree download's file whose source
// stalls, and the partial file and state of a ranged download whose later parts stall. Uses the
// built package (dist).
import { Readable } from 'node:stream';
import { createStorage, decorateProvider, FsProvider, MemoryProvider } from '../../dist/index.js';

const job = JSON.parse(process.argv[2]);
const MiB = 1024 * 1024;
const memory = new MemoryProvider();
const never = new Promise(() => undefined);
// Reads of `slow.bin` send one chunk and stall; reads of `big.bin` send what lies before its
// second MiB and stall there (the download's first stream included), so its first part lands and
// the rest never does.
const stalling = decorateProvider(memory, {
  read: async (uri, options) => {
    const start = options?.range?.start ?? 0;
    if (start >= MiB) await never;
    const stream = await memory.read(uri, options);
    if (uri.key.endsWith('big.bin')) {
      return Readable.from(
        (async function* () {
          let at = start;
          for await (const chunk of stream) {
            const room = MiB - at;
            if (room > 0) yield chunk.subarray(0, room);
            at += chunk.length;
            if (at >= MiB) await never;
          }
        })(),
      );
    }
    if (!uri.key.endsWith('slow.bin')) return stream;
    return Readable.from(
      (async function* () {
        for await (const chunk of stream) {
          yield chunk;
          await never;
        }
      })(),
    );
  },
});
const storage = createStorage({ providers: [new FsProvider(), stalling] });
await storage.write('mem://k/tree/a.txt', 'a\n');
await storage.write('mem://k/tree/slow.bin', Buffer.alloc(256 * 1024, 1));
await storage.write('mem://k/big.bin', Buffer.alloc(3 * MiB, 2));
storage.copyTree('mem://k/tree/', `${job.directory}/`, { fileConcurrency: 2 }).done.catch(() => undefined);
storage
  .copy('mem://k/big.bin', `${job.directory}/big.bin`, {
    multipartThreshold: MiB,
    partSize: MiB,
    concurrency: 1,
  })
  .done.catch(() => undefined);
// Stalled promises alone do not keep a process alive: this timer does, until the parent kills it.
setInterval(() => undefined, 60_000);
