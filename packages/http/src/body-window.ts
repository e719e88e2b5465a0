import type { IncomingHttpHeaders } from 'node:http';
import { TransientError } from '@stowage/core';
import type { HttpResponse } from './http-client.js';
import { PROVIDER_NAME, transportError } from './http-errors.js';

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

/** What {@link bodyWindow} reads. */
export interface BodyWindow {
  /** Where, for errors. */
  where: string;
  /** The operation in words, for errors (`read`). */
  operation: string;
  /** First byte wanted. */
  start: number;
  /** Last byte wanted, inclusive; learnt from the response when omitted. */
  end?: number;
  /** The caller's signal, so an abort is an AbortedError and not a network failure. */
  signal?: AbortSignal;
}

/**
 * The bytes `start..end` of one response, exactly: a 200 to a ranged request (a server that
 * ignores `Range`; the version was checked before) is skipped to `start`, a longer body is cut at
 * `end`, and a body that ends early fails with a retryable TransientError. One response, no
 * second request: continuing after a dropped connection is the transfer engine's work (one home,
 * with its progress budget), not the adapter's.
 */
export async function* bodyWindow(response: HttpResponse, window: BodyWindow): AsyncGenerator<Buffer> {
  const { where, operation, signal } = window;
  let offset = window.start;
  let end = window.end;
  let skip = 0;
  try {
    if (response.status === 206) {
      const range = parseContentRange(response.headers['content-range']);
      if (!range || range.start !== offset || (end !== undefined && range.end > end)) {
        throw new TransientError(`Unexpected Content-Range from ${where}`, {
          uri: where,
          provider: PROVIDER_NAME,
        });
      }
      end = range.end;
    } else if (response.status === 200) {
      skip = offset;
      const length = contentLength(response.headers);
      if (length !== undefined) end = end === undefined ? length - 1 : Math.min(end, length - 1);
    } else {
      throw new TransientError(`Unexpected HTTP ${response.status} to ${operation} ${where}`, {
        uri: where,
        provider: PROVIDER_NAME,
      });
    }
    for await (const data of response.body as AsyncIterable<Buffer>) {
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
  } catch (error) {
    throw transportError(error, operation, where, signal);
  } finally {
    response.body.destroy();
  }
}
