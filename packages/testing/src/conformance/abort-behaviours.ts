import { setTimeout as sleep } from 'node:timers/promises';
import { AbortedError, isAbortError, type StorageUri } from '@stowage/core';
import { describe, expect } from 'vitest';
import type { ConformanceHarness, Fixture } from './conformance-harness.js';
import { expectStowageError } from './expect-stowage-error.js';
import { expectNoObject, listEntries, readBytes } from './read-back.js';
import { deferred, patternBytes, slowBody } from './test-bodies.js';

const CHUNK = 16 * 1024;
/** 200 chunks 20 ms apart (about 4 s): the abort always lands mid-stream. */
const SLOW = { chunks: 200, delayMs: 20 };

/** Start a slow write and abort it after its first chunk went in; resolves to the write's outcome and how long it took to stop. */
async function abortMidWrite(f: Fixture, uri: StorageUri): Promise<{ error: unknown; stopMs: number }> {
  const controller = new AbortController();
  const started = deferred();
  const data = patternBytes(SLOW.chunks * CHUNK, 51);
  const body = slowBody(data, {
    chunkSize: CHUNK,
    delayMs: SLOW.delayMs,
    signal: controller.signal,
    onFirstChunk: () => started.resolve(),
  });
  const writing = f.provider.write(uri, body, { signal: controller.signal });
  const early = writing.then(
    () => 'the write finished before it could be aborted',
    (error: Error) => `the write failed before it could be aborted: ${error.message}`,
  );
  const first = await Promise.race([started.promise.then(() => undefined), early]);
  if (first !== undefined) expect.fail(first);
  await sleep(3 * SLOW.delayMs);
  const abortedAt = Date.now();
  controller.abort();
  const error = await writing.then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, stopMs: Date.now() - abortedAt };
}

/** Every operation honours an AbortSignal; an aborted write leaves nothing behind. */
export function abortBehaviours(h: ConformanceHarness): void {
  describe('abort', () => {
    h.behaviour(
      'a write aborted mid-stream fails promptly with AbortedError and leaves no object',
      { needs: ['write'] },
      async (f) => {
        const { error, stopMs } = await abortMidWrite(f, f.at('aborted.bin'));
        await expectStowageError(Promise.reject(error), AbortedError, 'aborted write');
        expect(stopMs, 'ms from abort to rejection').toBeLessThan(3_000);
        await expectNoObject(f, 'aborted.bin', 'after an aborted write');
      },
    );

    h.behaviour(
      'an overwrite aborted mid-stream keeps the old content intact',
      { needs: ['write'] },
      async (f) => {
        await f.provider.write(f.at('precious.txt'), 'old content');
        const { error } = await abortMidWrite(f, f.at('precious.txt'));
        await expectStowageError(Promise.reject(error), AbortedError, 'aborted overwrite');
        expect((await readBytes(f, 'precious.txt')).toString()).toBe('old content');
        expect((await f.provider.stat(f.at('precious.txt'))).size).toBe(11);
      },
    );

    h.behaviour(
      'a write with an already-aborted signal fails with AbortedError and stores nothing',
      { needs: ['write'] },
      async (f) => {
        await expectStowageError(
          f.provider.write(f.at('never.txt'), 'x', { signal: AbortSignal.abort() }),
          AbortedError,
          'write with an aborted signal',
        );
        await expectNoObject(f, 'never.txt', 'after a pre-aborted write');
      },
    );

    h.behaviour(
      'a read with an already-aborted signal rejects with AbortedError',
      { needs: ['write'] },
      async (f) => {
        await f.provider.write(f.at('readable.txt'), 'x');
        await expectStowageError(
          f.provider.read(f.at('readable.txt'), { signal: AbortSignal.abort() }),
          AbortedError,
          'read with an aborted signal',
        );
      },
    );

    h.behaviour(
      'aborting a read mid-stream errors the stream instead of ending it quietly',
      { needs: ['write'] },
      async (f) => {
        await f.provider.write(f.at('long-read.bin'), patternBytes(4 * 1024 * 1024, 52));
        const controller = new AbortController();
        const stream = await f.provider.read(f.at('long-read.bin'), { signal: controller.signal });
        let bytes = 0;
        const outcome = await (async () => {
          for await (const chunk of stream) {
            bytes += (chunk as Buffer).length;
            if (!controller.signal.aborted) controller.abort();
          }
        })().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(outcome, `the stream ended normally after ${bytes} bytes`).toBeInstanceOf(Error);
        expect(isAbortError(outcome), `an abort error, got ${String(outcome)}`).toBe(true);
        expect(bytes).toBeLessThan(4 * 1024 * 1024);
      },
    );

    h.behaviour(
      'a listing with an aborted signal rejects with AbortedError instead of yielding nothing',
      { needs: ['write', 'list'] },
      async (f) => {
        await f.provider.write(f.at('l/1'), '1');
        await f.provider.write(f.at('l/2'), '2');
        await expectStowageError(
          listEntries(f, 'l/', { recursive: true, signal: AbortSignal.abort() }),
          AbortedError,
          'list with an aborted signal',
        );
      },
    );
  });
}
