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
// Reads of `slow.bin` send one chunk and stall; ranged reads past the first MiB stall at once.
const stalling = decorateProvider(memory, {
  read: async (uri, options) => {
    if ((options?.range?.start ?? 0) >= MiB) await never;
    const stream = await memory.read(uri, options);
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
