import { createHash } from 'node:crypto';
import { readFile, stat as statFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  assertPinHolds,
  type Capabilities,
  compareKeys,
  delimitListing,
  type Entry,
  formatUri,
  type ListOptions,
  NO_CAPABILITIES,
  NotFoundError,
  type ObjectStat,
  type ProviderSpec,
  type ReadOptions,
  resolveRange,
  type StatOptions,
  type StorageUri,
  throwIfAborted,
} from '@stowage/core';
import { unzipSync } from 'fflate';

/** One file of a mounted archive, with the validators computed once at mount. */
interface ZipEntry {
  data: Uint8Array;
  /** MD5 of the content: the entry's ETag, and a digest the transfer engine verifies copies with. */
  md5Hex: string;
  /** Zip entries carry DOS times that fflate does not expose; the archive's own mtime stands in. */
  lastModified: Date;
}

/** Stream a buffer in slices, so a reader can stop half-way like with any other provider. */
function* slices(data: Uint8Array, size = 64 * 1024): Generator<Buffer> {
  for (let offset = 0; offset < data.length; offset += size) {
    yield Buffer.from(data.buffer, data.byteOffset + offset, Math.min(size, data.length - offset));
  }
}

/**
 * `zip://archive-name/path/in/archive`: a read-only view of zip archives. An archive is unpacked
 * into memory when mounted (fflate), so this suits small archives; everything else — listing
 * order, ranges, validators, errors — follows the Provider contract, which the conformance suite
 * checks (test/zip-provider.test.ts).
 */
export class ZipProvider implements ProviderSpec {
  readonly name = 'zip';
  readonly schemes = ['zip'];
  // What it can do. It writes no write, delete or deleteMany: `defineProvider` makes them refuse
  // with UnsupportedOperationError, as the table says.
  readonly capabilities: Readonly<Capabilities> = {
    ...NO_CAPABILITIES,
    read: true,
    list: true,
    delimiters: true,
    rangeRead: true,
    conditionalRead: true,
  };
  private readonly archives = new Map<string, Map<string, ZipEntry>>();

  /** Make the zip file at `path` available as `zip://name/`; mounting again replaces the old view. */
  async mount(name: string, path: string): Promise<void> {
    const [bytes, info] = await Promise.all([readFile(path), statFile(path)]);
    const entries = new Map<string, ZipEntry>();
    for (const [key, data] of Object.entries(unzipSync(new Uint8Array(bytes)))) {
      const md5Hex = createHash('md5').update(data).digest('hex');
      entries.set(key, { data, md5Hex, lastModified: info.mtime });
    }
    this.archives.set(name, entries);
  }

  private entry(uri: StorageUri): ZipEntry {
    const entry = this.archives.get(uri.bucket)?.get(uri.key);
    if (!entry) {
      throw new NotFoundError(`No ${uri.key} in zip archive ${uri.bucket}`, {
        uri: formatUri(uri),
        provider: this.name,
      });
    }
    return entry;
  }

  async stat(uri: StorageUri, options: StatOptions = {}): Promise<ObjectStat> {
    throwIfAborted(options.signal, `stat of ${formatUri(uri)}`);
    const { data, md5Hex, lastModified } = this.entry(uri);
    return {
      uri,
      size: data.length,
      etag: `"${md5Hex}"`,
      lastModified,
      checksums: { md5Hex },
      acceptsRanges: true,
    };
  }

  async read(uri: StorageUri, options: ReadOptions = {}): Promise<Readable> {
    throwIfAborted(options.signal, `read of ${formatUri(uri)}`);
    const entry = this.entry(uri);
    // A pinned read (the engine pins every read of one transfer) of an archive remounted since.
    assertPinHolds(
      options,
      { etag: `"${entry.md5Hex}"`, lastModified: entry.lastModified },
      formatUri(uri),
      this.name,
    );
    let data = entry.data;
    if (options.range) {
      const span = resolveRange(options.range, data.length, formatUri(uri));
      data = span ? data.subarray(span[0], span[1] + 1) : data.subarray(0, 0);
    }
    return Readable.from(slices(data), { signal: options.signal });
  }

  async *list(prefix: StorageUri, options: ListOptions = {}): AsyncIterable<Entry> {
    throwIfAborted(options.signal, `listing of ${formatUri(prefix)}`);
    const entries = this.archives.get(prefix.bucket) ?? new Map<string, ZipEntry>();
    // Zip central directories are in write order; the contract wants UTF-8 byte order of keys.
    const keys = [...entries.keys()].filter((key) => key.startsWith(prefix.key)).sort(compareKeys);
    const objects = keys.map((key) => {
      const { data, md5Hex, lastModified } = entries.get(key)!;
      return { key, size: data.length, etag: `"${md5Hex}"`, lastModified };
    });
    yield* delimitListing(prefix, prefix.key, objects, options.recursive ?? false, options.startAfter);
  }
}
