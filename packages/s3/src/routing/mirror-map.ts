import { formatUri, InvalidArgumentError, parseUri, type StorageUri, withKey } from '@stowage/core';
import type { DataLocation } from './route-facts.js';

/** Maps an S3 object to its HTTPS mirror and back (a prefix rewrite, a batched lookup, catalog pairs…). */
export interface MirrorResolver {
  /** Short name cited in reasons (`mapping`, `cmr`, …). */
  readonly name: string;
  /** The mirror URL of an S3 object, or undefined when it has none. */
  toHttp(s3: StorageUri): string | undefined;
  /** The S3 object behind a mirror URL, or undefined when the URL is not a known mirror. */
  toS3(http: StorageUri): StorageUri | undefined;
}

/** One prefix pair: every object under `s3` is also served under `http` with the same relative key. */
export interface MirrorMapping {
  /** `s3://bucket/prefix/` (a bucket alone maps the whole bucket). */
  s3: string;
  /** `https://mirror.example/prefix/`. */
  http: string;
}

interface ParsedPair {
  s3: StorageUri;
  http: StorageUri;
}

const prefixKey = (key: string) => (key === '' || key.endsWith('/') ? key : `${key}/`);

/**
 * Prefix-pair mirrors (the HEASARC style: `s3://nasa-heasarc/<p>` ↔ `https://heasarc.gsfc.nasa.gov/FTP/<p>`).
 * The longest matching prefix wins in both directions; keys keep their exact bytes and are
 * percent-encoded per segment in URLs.
 */
export class MirrorMap implements MirrorResolver {
  /** Cited in reasons as the mirror's source. */
  readonly name = 'mapping';
  private readonly pairs: ParsedPair[];

  /** @throws InvalidArgumentError when a pair is not an `s3://` and an `http(s)://` prefix. */
  constructor(mappings: readonly MirrorMapping[]) {
    this.pairs = mappings.map((m) => {
      const s3 = parseUri(m.s3);
      const http = parseUri(m.http);
      if (s3.scheme !== 's3')
        throw new InvalidArgumentError(`Mirror mapping "${m.s3}" must start with s3://`);
      if (http.scheme !== 'http' && http.scheme !== 'https') {
        throw new InvalidArgumentError(`Mirror mapping "${m.http}" must be an http(s):// URL`);
      }
      if (http.query !== undefined)
        throw new InvalidArgumentError(`Mirror mapping "${m.http}" must not have a query string`);
      return { s3: withKey(s3, prefixKey(s3.key)), http: withKey(http, prefixKey(http.key)) };
    });
    // Longest prefix first, so the most specific mapping wins.
    this.pairs.sort((a, b) => b.s3.key.length - a.s3.key.length || b.http.key.length - a.http.key.length);
  }

  /** The mirror URL under the longest matching `s3` prefix, or undefined. */
  toHttp(s3: StorageUri): string | undefined {
    if (s3.scheme !== 's3') return undefined;
    const pair = this.pairs.find((p) => p.s3.bucket === s3.bucket && s3.key.startsWith(p.s3.key));
    if (!pair) return undefined;
    return formatUri(withKey(pair.http, pair.http.key + s3.key.slice(pair.s3.key.length)));
  }

  /** The S3 object under the longest matching `http` prefix, or undefined. */
  toS3(http: StorageUri): StorageUri | undefined {
    if (http.scheme !== 'http' && http.scheme !== 'https') return undefined;
    const pair = this.pairs
      .slice()
      .sort((a, b) => b.http.key.length - a.http.key.length)
      .find(
        (p) =>
          p.http.scheme === http.scheme && p.http.bucket === http.bucket && http.key.startsWith(p.http.key),
      );
    if (!pair) return undefined;
    return withKey(pair.s3, pair.s3.key + http.key.slice(pair.http.key.length));
  }
}

/**
 * Locate an object through a mirror resolver: an `s3://` URI gets its mirror, an `http(s)://` URL
 * is its own mirror and gets the S3 object behind it. Shared by every {@link DataLocator}.
 * @throws InvalidArgumentError for other schemes (only S3 and HTTP reads are routed).
 */
export function locateThroughMirrors(
  uri: StorageUri,
  mirrors: MirrorResolver | undefined,
  size?: number,
): DataLocation {
  const requested = formatUri(uri);
  const location: DataLocation = { requested };
  if (uri.scheme === 's3') {
    location.s3 = {
      bucket: uri.bucket,
      key: uri.key,
      uri: requested,
      ...(uri.versionId ? { versionId: uri.versionId } : {}),
    };
    const url = mirrors?.toHttp(uri);
    if (url) location.mirror = { url, source: mirrors!.name };
  } else if (uri.scheme === 'http' || uri.scheme === 'https') {
    location.mirror = { url: requested, source: 'requested' };
    const s3 = mirrors?.toS3(uri);
    if (s3) location.s3 = { bucket: s3.bucket, key: s3.key, uri: formatUri(s3) };
  } else {
    throw new InvalidArgumentError(
      `Only s3:// and http(s):// reads are routed, not ${uri.scheme}: (${requested})`,
    );
  }
  if (size !== undefined) location.size = size;
  return location;
}
