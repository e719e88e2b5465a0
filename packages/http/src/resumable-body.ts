import type { IncomingHttpHeaders } from 'node:http';
import {
  abortableSleep,
  backoffDelay,
  changedError,
  type ReadPin,
  type StorageUri,
  TransientError,
} from '@stowage/core';
import { type HttpClient, type HttpResponse, whereOf } from './http-client.js';
import { PROVIDER_NAME, transportError } from './http-errors.js';
import { sendPinned } from './read-pin-headers.js';

/** Thrown when a server answered a ranged request with the whole body and the caller cannot use that. */
export class RangeIgnoredError extends Error {
  constructor() {
    super('The server ignored the Range header');
  }
}

/** Bytes that must arrive between two failures for the retry count of a body to start over. */
const PROGRESS_RESETS_RETRIES = 1024 * 1024;

/** A validator fit for `If-Range`: a strong ETag, else `Last-Modified`. */
export function strongValidator(headers: IncomingHttpHeaders): string | undefined {
  const etag = headers.etag;
  if (etag !== undefined && !etag.startsWith('W/')) return etag;
  return headers['last-modified'];
}

/** `Content-Range: bytes a-b/total` (total may be `*`). */
export function parseContentRange(
  value: string | undefined,
): { start: number; end: number; total: number | undefined } | undefined {
  const m = value === undefined ? null : /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(value.trim());
  if (!m) return undefined;
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? undefined : Number(m[3]) };
}

/** `Content-Length` as a number, when present. */
export function contentLength(headers: IncomingHttpHeaders): number | undefined {
  const value = headers['content-length'];
  return value === undefined || !/^\d+$/.test(value) ? undefined : Number(value);
}

function sameKind(a: string, b: string): boolean {
  return a.startsWith('"') === b.startsWith('"');
}

/** What {@link resumableBody} reads. */
export interface BodyRequest {
  /** Client that sends the (re)requests. */
  client: HttpClient;
  /** The resource; may carry user info (never printed). */
  uri: StorageUri;
  /** The operation in words, for errors and retry notices (`read`, `download`). */
  operation: string;
  /** First byte. */
  start: number;
  /** Last byte, inclusive; learnt from the response when omitted. */
  end?: number;
  /** The version being read (`If-Range` on every ranged request; a response with another one fails). */
  validator?: string;
  /**
   * The caller's pin (`ifMatch` / `ifUnmodifiedSince`): every request carries it and every answer is
   * checked against it, so a resumed body cannot come from another version. Takes the place of
   * `validator`.
   */
  pin?: ReadPin;
  /** A 200 to a ranged request: drop the bytes before `start` (`skip`), or throw {@link RangeIgnoredError}. */
  onIgnoredRange: 'skip' | 'throw';
  /** Aborts the read, including a backoff wait between attempts. */
  signal?: AbortSignal;
  /** A response already open for `start` (the first attempt). */
  first?: HttpResponse;
}

/**
 * The bytes `start..end` of a resource, surviving dropped connections and short bodies: after a
 * failure it asks for the rest with `Range` + `If-Range`, so a resource that changed in between fails
 * with `SourceChangedError` instead of splicing two versions. Retries are bounded (the count starts
 * over after each MiB received, so a long body on a flaky link still finishes) and honour the abort signal.
 */
export async function* resumableBody(request: BodyRequest): AsyncGenerator<Buffer> {
  const { client, uri, operation, signal } = request;
  const where = whereOf(uri);
  const retry = client.retryOptions(signal, uri);
  const maxAttempts = retry.maxAttempts ?? 4;
  let offset = request.start;
  let end = request.end;
  let validator = request.validator;
  let response = request.first;
  let failures = 0;
  let offsetAtFailure = request.start;
  for (;;) {
    const ranged = offset > 0 || end !== undefined;
    if (!response) {
      const headers: Record<string, string> = {};
      if (ranged) headers.range = `bytes=${offset}-${end ?? ''}`;
      if (request.pin) {
        response = await sendPinned(client, uri, request.pin, {
          method: 'GET',
          operation,
          headers,
          ranged,
          ...(signal ? { signal } : {}),
        });
      } else {
        if (ranged && validator !== undefined) headers['if-range'] = validator;
        response = await client.send(uri, {
          method: 'GET',
          operation,
          headers,
          ...(signal ? { signal } : {}),
        });
      }
    }
    const current = response;
    response = undefined;
    try {
      const seen = strongValidator(current.headers);
      if (validator !== undefined && seen !== undefined && sameKind(seen, validator) && seen !== validator) {
        throw changedError(where, PROVIDER_NAME, `validator ${validator} → ${seen}`);
      }
      let skip = 0;
      if (current.status === 206) {
        const range = parseContentRange(current.headers['content-range']);
        if (!range || range.start !== offset || (end !== undefined && range.end > end)) {
          throw new TransientError(`Unexpected Content-Range from ${where}`, {
            uri: where,
            provider: PROVIDER_NAME,
          });
        }
        end = range.end;
      } else if (current.status === 200) {
        if (ranged) {
          if (request.onIgnoredRange === 'throw') throw new RangeIgnoredError();
          skip = offset;
        }
        const length = contentLength(current.headers);
        if (length !== undefined) end = end === undefined ? length - 1 : Math.min(end, length - 1);
      } else {
        throw new TransientError(`Unexpected HTTP ${current.status} to ${operation} ${where}`, {
          uri: where,
          provider: PROVIDER_NAME,
        });
      }
      validator ??= seen;
      for await (const data of current.body as AsyncIterable<Buffer>) {
        let chunk = data;
        if (skip > 0) {
          if (chunk.length <= skip) {
            skip -= chunk.length;
            continue;
          }
          chunk = chunk.subarray(skip);
          skip = 0;
        }
        if (end !== undefined && offset + chunk.length > end + 1) chunk = chunk.subarray(0, end + 1 - offset);
        if (chunk.length > 0) {
          offset += chunk.length;
          yield chunk;
        }
        if (end !== undefined && offset > end) break;
      }
      if (end !== undefined && offset <= end) {
        throw new TransientError(
          `The body of ${where} ended at byte ${offset} of ${end + 1} (connection closed early)`,
          { uri: where, provider: PROVIDER_NAME },
        );
      }
      return;
    } catch (error) {
      if (error instanceof RangeIgnoredError) throw error;
      const mapped = transportError(error, operation, where, signal);
      // A failure after real progress starts a new count; a trickle between stalls does not.
      if (offset - offsetAtFailure >= PROGRESS_RESETS_RETRIES) {
        failures = 0;
        offsetAtFailure = offset;
      }
      failures++;
      // Without a validator the rest could come from another version: start over higher up instead.
      const pinned = request.pin !== undefined || validator !== undefined;
      if (failures >= maxAttempts || !pinned || !retry.shouldRetry?.(mapped)) throw mapped;
      const delayMs = backoffDelay(failures + 1, mapped, retry);
      retry.onRetry?.({
        operation,
        uri: where,
        attempt: failures + 1,
        delayMs,
        reason: `${(mapped as { code?: string }).code ?? 'Error'}: ${mapped.message}`,
      });
      await abortableSleep(delayMs, signal);
    } finally {
      current.body.destroy();
    }
  }
}
