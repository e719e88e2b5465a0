import { Readable } from 'node:stream';
import { decorateProvider, type Provider, TransientError } from '../../src/index.js';

/** Knobs for {@link faulty}: which reads fail, how, and how slowly data flows. */
export interface Faults {
  /** Fail the Nth read (1-based) once with a retryable error after `afterBytes` bytes. */
  failReads?: Set<number>;
  afterBytes?: number;
  /** Fail every read whose range starts at or after this offset, permanently. */
  failFromOffset?: number;
  /** Reads whose range starts at or after this offset send nothing until their signal aborts (a hung connection). */
  stallFromOffset?: number;
  /** Every body breaks (retryable error) when it reaches this offset of the object. */
  cutAtOffset?: number;
  /** Every body hangs when it reaches this offset of the object, until its signal aborts. */
  stallAtOffset?: number;
  /** Delay between chunks, to make transfers slow enough to cancel. */
  chunkDelayMs?: number;
}

/** Wrap a real provider so that reads fail or stall as scripted; counts reads and ranges. */
export function faulty(inner: Provider, faults: Faults) {
  const stats = { reads: 0, ranges: [] as Array<{ start: number; end?: number }>, stalled: 0 };
  const provider = decorateProvider(inner, {
    read: async (uri, options) => {
      const n = ++stats.reads;
      if (options?.range) stats.ranges.push(options.range);
      if (faults.failFromOffset !== undefined && (options?.range?.start ?? 0) >= faults.failFromOffset) {
        throw new TransientError(`injected permanent failure at ${options?.range?.start}`, {
          retryable: false,
        });
      }
      if (faults.stallFromOffset !== undefined && (options?.range?.start ?? 0) >= faults.stallFromOffset) {
        const signal = options?.signal;
        return Readable.from(
          (async function* () {
            await new Promise((_, reject) => {
              if (signal?.aborted) reject(signal.reason);
              signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
            });
            yield Buffer.alloc(0);
          })(),
        );
      }
      const stream = await inner.read(uri, options);
      const failThis = faults.failReads?.has(n);
      const from = options?.range?.start ?? 0;
      const cutAt = faults.cutAtOffset ?? faults.stallAtOffset;
      if (!failThis && !faults.chunkDelayMs && cutAt === undefined) return stream;
      return Readable.from(
        (async function* () {
          let sent = 0;
          for await (const chunk of stream as AsyncIterable<Buffer>) {
            if (cutAt !== undefined && from + sent + chunk.length > cutAt && from <= cutAt) {
              yield chunk.subarray(0, Math.max(0, cutAt - from - sent));
              if (faults.cutAtOffset !== undefined) throw new TransientError('injected connection reset');
              stats.stalled++;
              const signal = options?.signal;
              await new Promise((_, reject) => {
                if (signal?.aborted) reject(signal.reason);
                signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
              });
            }
            if (failThis && sent + chunk.length > (faults.afterBytes ?? 0)) {
              yield chunk.subarray(0, Math.max(0, (faults.afterBytes ?? 0) - sent));
              throw new TransientError('injected connection reset');
            }
            sent += chunk.length;
            if (faults.chunkDelayMs) await new Promise((r) => setTimeout(r, faults.chunkDelayMs));
            if (options?.signal?.aborted) throw options.signal.reason;
            yield chunk;
          }
        })(),
      );
    },
  });
  return { provider, stats };
}
