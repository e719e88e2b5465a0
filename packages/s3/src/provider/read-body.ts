import { PassThrough, type Readable } from 'node:stream';
import {
  abandonable,
  type CallNotice,
  ChecksumMismatchError,
  TransientError,
  toAbortedError,
  verifySize,
} from '@stowage/core';

/** A GetObject body as the S3 provider hands it out. */
export type S3ReadStream = Readable & {
  /** Set when the body came from an unsigned retry after a 403 (`unsignedReadFallback`): why. */
  unsignedFallback?: string;
  /** Bytes this stream will deliver (the range asked for), when the response gave a length. */
  contentLength?: number;
};

/** What {@link guardReadBody} needs to watch one GetObject body. */
export interface GuardedBodyOptions {
  /** The object, as shown in errors. */
  where: string;
  /** The provider's name, for errors. */
  provider: string;
  /** The SDK's response body. */
  body: Readable;
  /** Content-Length of the answer, when given. */
  length: number | undefined;
  /** Bytes to drop and keep when the server sent more than the range asked for. */
  window:
    | {
        /** Leading bytes to drop. */
        skip: number;
        /** Bytes to pass on after those; undefined means the rest. */
        take: number | undefined;
      }
    | undefined;
  /** The read's signal: an abort ends the stream with `AbortedError`, and no restart follows. */
  signal: AbortSignal | undefined;
  /**
   * Issues the same GET again. Used only when the body fails before its first byte reached the
   * consumer, so a restart can neither splice two versions nor repeat bytes.
   */
  refetch?: () => Promise<Readable>;
  /** How many times a body may be restarted that way. Default 2. */
  restarts?: number;
  /** Told of each restart (a `warning` of the transfer). */
  notify?: (notice: CallNotice) => void;
}

/**
 * Wrap a GetObject body: mid-body failures become typed errors, a body that ends short of its
 * length fails, and a connection reset before the first byte restarts the request (a keep-alive
 * socket that the server closed between headers and body is common and not the caller's concern).
 */
export function guardReadBody(options: GuardedBodyOptions): S3ReadStream {
  const { where, provider, length, window, signal, refetch } = options;
  let restartsLeft = options.restarts ?? 2;
  let received = 0;
  let position = 0;
  const skip = window?.skip ?? 0;
  const stop = window?.take === undefined ? Number.POSITIVE_INFINITY : skip + window.take;
  const pass = new PassThrough({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      const from = position;
      position += chunk.length;
      if (skip === 0 && position <= stop) return callback(null, chunk);
      // The server sent more than the range asked for: pass on only the asked-for bytes.
      const start = Math.max(0, skip - from);
      const end = Math.min(chunk.length, stop - from);
      callback(null, end > start ? chunk.subarray(start, end) : undefined);
    },
    flush(callback) {
      try {
        verifySize(length, received, where);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
  const out: S3ReadStream = abandonable(pass, signal);
  let current = options.body;

  const fail = (error: unknown) => {
    const message = (error as Error).message ?? String(error);
    const mapped =
      signal?.aborted || (error as { name?: string }).name === 'AbortError'
        ? toAbortedError(signal?.reason ?? error, `read ${where}`)
        : /checksum mismatch/i.test(message)
          ? // Corrupted in transit, not at rest (as s3transfer judges it): a new read may succeed.
            new ChecksumMismatchError(`read ${where}: the body does not match its stored checksum`, {
              uri: where,
              provider,
              retryable: true,
              cause: error,
            })
          : new TransientError(`read ${where} failed mid-body after ${received} bytes: ${message}`, {
              uri: where,
              provider,
              cause: error,
            });
    out.destroy(mapped);
  };

  const restart = async (failed: Readable) => {
    failed.unpipe(pass);
    failed.destroy();
    try {
      const next = await refetch?.();
      if (!next) throw new Error('no body');
      if (out.destroyed) {
        next.destroy();
        return;
      }
      attach(next);
    } catch (error) {
      if (!out.destroyed) fail(error);
    }
  };

  const attach = (body: Readable) => {
    current = body;
    body.on('error', (error) => {
      // The consumer already closed `out` (it stopped reading): the body's abort is expected, and
      // there is nobody left to tell.
      if (out.destroyed || body !== current) return;
      const retryable =
        refetch !== undefined &&
        restartsLeft > 0 &&
        received === 0 &&
        !signal?.aborted &&
        !/checksum mismatch/i.test((error as Error).message ?? '');
      if (retryable) {
        restartsLeft -= 1;
        options.notify?.({
          type: 'warning',
          code: 'read-restarted',
          message: `The connection of ${where} reset before its first byte; the GET was sent again`,
        });
        void restart(body);
        return;
      }
      fail(error);
    });
    body.pipe(pass);
  };

  out.on('close', () => {
    if (!current.destroyed) current.destroy();
  });
  attach(options.body);
  return out;
}
