import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';

/** Strong validators of a served file: an ETag that changes with size, mtime or a server-side write. */
export function fileEtag(info: Stats, generation: number): string {
  return `"${info.size.toString(16)}-${Math.floor(info.mtimeMs * 1000).toString(16)}-${generation}"`;
}

/**
 * Server-side writes per key, the `generation` of {@link fileEtag}: a rewrite that keeps the size
 * within one mtime tick must still change the ETag.
 */
export class WriteGenerations {
  private readonly counts = new Map<string, number>();

  /** Server-side writes of `key` so far. */
  of(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** Count one more server-side write of `key`. */
  bump(key: string): void {
    this.counts.set(key, this.of(key) + 1);
  }
}

/** HTTP date of a file's mtime (second resolution, as `Last-Modified` has). */
export function lastModified(info: Stats): string {
  return new Date(Math.floor(info.mtimeMs / 1000) * 1000).toUTCString();
}

/** Digests of a whole file, as the server announces them. */
export interface FileDigests {
  /** Raw SHA-256 digest (32 bytes). */
  sha256: Buffer;
  /** Raw MD5 digest (16 bytes). */
  md5: Buffer;
}

/** Digests computed once per (path, ETag), so a large file is hashed only when it changes. */
export class DigestCache {
  private readonly cache = new Map<string, Promise<FileDigests>>();

  /** The file's digests, hashing it on first use for this ETag; a failed hash is not cached. */
  get(path: string, etag: string): Promise<FileDigests> {
    const key = `${path}\u0000${etag}`;
    let entry = this.cache.get(key);
    if (!entry) {
      entry = hashFile(path);
      this.cache.set(key, entry);
      entry.catch(() => this.cache.delete(key));
    }
    return entry;
  }
}

async function hashFile(path: string): Promise<FileDigests> {
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    sha256.update(chunk as Buffer);
    md5.update(chunk as Buffer);
  }
  return { sha256: sha256.digest(), md5: md5.digest() };
}

/** `If-Range` / `If-Match` value against the current validators (weak ETags never match, per RFC 9110). */
export function validatorMatches(value: string, etag: string, modified: string): boolean {
  const v = value.trim();
  if (v.startsWith('W/')) return false;
  if (v.startsWith('"')) return v === etag;
  const when = Date.parse(v);
  return !Number.isNaN(when) && when === Date.parse(modified);
}
