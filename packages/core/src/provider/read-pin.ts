import { SourceChangedError } from '../errors/error-types.js';
import type { ReadOptions } from './provider.js';

/** The version a read is pinned to: `ReadOptions.ifMatch` and `ifUnmodifiedSince`. */
export type ReadPin = Pick<ReadOptions, 'ifMatch' | 'ifUnmodifiedSince'>;

/** What an answer (or an open file) says about the version it serves. */
export interface ServedVersion {
  /** The ETag served, when the backend sends one. */
  etag?: string;
  /** The modification time served, when the backend sends one. */
  lastModified?: Date;
}

/**
 * Whether two ETags name the same version, by the weak comparison of RFC 9110 §8.8.3.2: a change
 * detector must not call `W/"x"` and `"x"` different, or a server that weakens its ETags on
 * compressed answers would fail every read.
 */
export function sameEtag(a: string, b: string): boolean {
  const opaque = (tag: string) => (tag.startsWith('W/') ? tag.slice(2) : tag);
  return opaque(a) === opaque(b);
}

/**
 * Throw `PreconditionFailedError` when `served` is not the version `pin` names. Providers call it on
 * every answer (or open file) of a pinned read, so a backend that ignores conditional headers still
 * cannot splice two versions into one download. What the answer does not say cannot be compared.
 */
export function assertPinHolds(pin: ReadPin, served: ServedVersion, where: string, provider: string): void {
  if (pin.ifMatch !== undefined && served.etag !== undefined && !sameEtag(pin.ifMatch, served.etag)) {
    throw changedError(where, provider, `ETag ${pin.ifMatch} → ${served.etag}`);
  }
  if (
    pin.ifUnmodifiedSince !== undefined &&
    served.lastModified !== undefined &&
    served.lastModified.getTime() > pin.ifUnmodifiedSince.getTime()
  ) {
    throw changedError(
      where,
      provider,
      `modified ${served.lastModified.toISOString()}, after ${pin.ifUnmodifiedSince.toISOString()}`,
    );
  }
}

/** The error for a pinned read of an object that is no longer the version pinned. */
export function changedError(where: string, provider: string, detail: string): SourceChangedError {
  return new SourceChangedError(`${where} changed during the transfer (${detail})`, {
    uri: where,
    provider,
    hint: 'The source was replaced while it was being read; nothing was kept. Run the copy again to get the new version.',
  });
}
