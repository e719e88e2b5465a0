// Progress through rxjs: one transfer's events$ as throttled progress lines, a tree's
// tree-progress counts, and storage.events$ (every transfer at once) tallied by event type.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStorage, type TransferEvent } from '@stowage/core';
import { distinctUntilChanged, filter, map, merge, scan, throttleTime } from 'rxjs';

/** Narrow the event union to one `type`, so later operators see its fields. */
const ofType =
  <T extends TransferEvent['type']>(type: T) =>
  (event: TransferEvent): event is Extract<TransferEvent, { type: T }> =>
    event.type === type;

const MiB = 1024 * 1024;
const dir = await mkdtemp(join(tmpdir(), 'stowage-progress-'));
const storage = createStorage();
try {
  await storage.write('mem://data/big.bin', randomBytes(48 * MiB));
  for (let i = 0; i < 20; i++) await storage.write(`mem://data/tree/file-${i}.bin`, randomBytes(256 * 1024));

  // Everything the storage does, counted by event type.
  let tally: Record<string, number> = {};
  const all = storage.events$
    .pipe(scan((acc, e) => ({ ...acc, [e.type]: (acc[e.type] ?? 0) + 1 }), {} as Record<string, number>))
    .subscribe((counts) => {
      tally = counts;
    });

  // One transfer: a compact progress line at most twice a second, then one line when it is done.
  const transfer = storage.copy('mem://data/big.bin', join(dir, 'big.bin'), { partSize: 8 * MiB });
  const progressLines = transfer.events$.pipe(
    filter(ofType('progress')),
    throttleTime(500),
    map((e) => {
      const percent = ((100 * e.bytes) / (e.totalBytes ?? e.bytes)).toFixed(0);
      const eta = e.etaSeconds === undefined ? '?' : `${e.etaSeconds.toFixed(1)} s`;
      return `${percent.padStart(3)}% ${(e.bytes / MiB).toFixed(0)}/${((e.totalBytes ?? 0) / MiB).toFixed(0)} MiB ${(e.rate / MiB).toFixed(0)} MiB/s ETA ${eta}`;
    }),
  );
  const doneLine = transfer.events$.pipe(
    filter(ofType('completed')),
    map((e) => `100% ${(e.bytes / MiB).toFixed(0)} MiB in ${(e.durationMs / 1000).toFixed(2)} s`),
  );
  let lines = 0;
  merge(progressLines, doneLine).subscribe((line) => {
    lines++;
    console.log(`big.bin ${line}`);
  });
  const result = await transfer;
  console.log(`big.bin: ${result.strategy}, verified ${result.verified.join(' + ')}`);
  assert.ok(lines >= 2, 'a progress line and the completion line');
  assert.equal(result.bytes, 48 * MiB);

  // A tree: one line each time another five files are done.
  const tree = storage.copyTree('mem://data/tree/', `${dir}/tree/`, { fileConcurrency: 4 });
  tree.events$
    .pipe(
      filter(ofType('tree-progress')),
      distinctUntilChanged((a, b) => a.filesDone === b.filesDone),
      filter((e) => e.filesDone % 5 === 0),
    )
    .subscribe((e) => console.log(`tree: ${e.filesDone}/${e.filesQueued} files, ${e.bytesDone} bytes`));
  const summary = await tree;
  console.log(`tree: ${summary.files} files copied`);
  assert.equal(summary.files, 20);

  all.unsubscribe();
  console.log(`storage.events$ saw: ${JSON.stringify(tally)}`);
  assert.equal(tally.completed, 21, 'one completed event per file');
} finally {
  await storage.close();
  await rm(dir, { recursive: true, force: true });
}
