// Progress through rxjs: one transfer's events$, and storage.events$ for everything at once.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStorage, type TransferEvent } from '@stowage/core';
import { filter, map, scan, throttleTime } from 'rxjs';

const dir = await mkdtemp(join(tmpdir(), 'stowage-progress-'));
const storage = createStorage();
try {
  await storage.write('mem://data/big.bin', randomBytes(48 * 1024 * 1024));
  for (let i = 0; i < 20; i++) await storage.write(`mem://data/tree/file-${i}.bin`, randomBytes(256 * 1024));

  // Everything the storage does, counted by event type.
  const counts = storage.events$.pipe(
    scan((acc, e) => ({ ...acc, [e.type]: (acc[e.type] ?? 0) + 1 }), {} as Record<string, number>),
  );
  let latest: Record<string, number> = {};
  const all = counts.subscribe((c) => (latest = c));

  // One transfer: a compact progress line at most twice a second.
  const transfer = storage.copy('mem://data/big.bin', join(dir, 'big.bin'), { partSize: 8 * 1024 * 1024 });
  transfer.events$
    .pipe(
      filter((e): e is Extract<TransferEvent, { type: 'progress' }> => e.type === 'progress'),
      throttleTime(500, undefined, { leading: true, trailing: true }),
      map(
        (e) =>
          `${((100 * e.bytes) / (e.totalBytes ?? e.bytes)).toFixed(0)}% ${(e.rate / 2 ** 20).toFixed(0)} MiB/s ETA ${e.etaSeconds?.toFixed(1) ?? '?'} s`,
      ),
    )
    .subscribe((line) => console.log(`big.bin: ${line}`));
  const result = await transfer;
  console.log(`big.bin: ${result.strategy}, verified ${result.verified.join(' + ')}`);

  // A tree: aggregate counts from tree-progress events.
  const tree = storage.copyTree('mem://data/tree/', `${dir}/tree/`, { fileConcurrency: 4 });
  tree.events$.pipe(filter((e) => e.type === 'tree-progress' && e.filesDone % 5 === 0)).subscribe((e) => {
    if (e.type === 'tree-progress')
      console.log(`tree: ${e.filesDone}/${e.filesQueued} files, ${e.bytesDone} bytes`);
  });
  const summary = await tree;
  console.log(`tree: ${summary.files} files copied`);
  all.unsubscribe();
  console.log(`events seen: ${JSON.stringify(latest)}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
