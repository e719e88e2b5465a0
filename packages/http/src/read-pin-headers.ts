import type { IncomingHttpHeaders } from 'node:http';
import {
  assertPinHolds,
  changedError,
  type ReadPin,
  type ServedVersion,
  type StorageUri,
} from '@stowage/core';
import { type HttpClient, type HttpResponse, type SendOptions, whereOf } from './http-client.js';
import { PROVIDER_NAME } from './http-errors.js';

/** What a response says about the version it serves. */
export function servedVersion(headers: IncomingHttpHeaders): ServedVersion {
  const modified = headers['last-modified'] === undefined ? Number.NaN : Date.parse(headers['last-modified']);
  return {
    ...(headers.etag === undefined ? {} : { etag: headers.etag }),
    ...(Number.isNaN(modified) ? {} : { lastModified: new Date(modified) }),
  };
}

/**
 * The conditional headers that keep a read to the pinned version. `If-Match` only for a strong ETag
 * (RFC 9110 compares it strongly, so a weak one would fail on every conforming server);
 * `If-Unmodified-Since` for a time. A ranged request also carries `If-Range`, for servers that
 * ignore `If-Match`: a changed resource then comes back whole (200), which we refuse.
 */
export function pinHeaders(pin: ReadPin | undefined, ranged: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!pin) return headers;
  const strong = pin.ifMatch !== undefined && !pin.ifMatch.startsWith('W/') ? pin.ifMatch : undefined;
  if (strong !== undefined) headers['if-match'] = strong;
  if (pin.ifUnmodifiedSince !== undefined)
    headers['if-unmodified-since'] = pin.ifUnmodifiedSince.toUTCString();
  if (ranged) {
    const ifRange = strong ?? pin.ifUnmodifiedSince?.toUTCString();
    if (ifRange !== undefined) headers['if-range'] = ifRange;
  }
  return headers;
}

/**
 * A GET pinned to one version: sends {@link pinHeaders}, turns the server's 412 into the "changed"
 * error, and checks the answer's own validators against the pin (servers that ignore conditional
 * headers still name what they serve). A 200 to a ranged request is refused unless the answer shows
 * the pinned version (then the server merely ignored `Range`).
 */
export async function sendPinned(
  client: HttpClient,
  uri: StorageUri,
  pin: ReadPin | undefined,
  options: SendOptions & {
    /** The request asks for a byte range (adds `If-Range`; a 200 answer is checked). */
    ranged: boolean;
  },
): Promise<HttpResponse> {
  const { ranged, ...send } = options;
  const response = await client.send(uri, {
    ...send,
    headers: { ...send.headers, ...pinHeaders(pin, ranged) },
    accept: pin ? [...(send.accept ?? []), 412] : (send.accept ?? []),
  });
  if (!pin) return response;
  const where = whereOf(uri);
  try {
    if (response.status === 412)
      throw changedError(where, PROVIDER_NAME, 'the server refused the pinned version');
    const served = servedVersion(response.headers);
    assertPinHolds(pin, served, where, PROVIDER_NAME);
    if (ranged && response.status === 200 && served.etag === undefined && served.lastModified === undefined) {
      throw changedError(
        where,
        PROVIDER_NAME,
        'a ranged read came back whole, with nothing to tell its version by',
      );
    }
  } catch (error) {
    response.body.destroy();
    throw error;
  }
  return response;
}
