import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  type Capabilities,
  compareKeys,
  deleteEach,
  delimitListing,
  type Entry,
  type ListOptions,
  NO_CAPABILITIES,
  NotFoundError,
  type ObjectStat,
  type Provider,
  type ReadOptions,
  registerUriScheme,
  resolveRange,
  type StorageUri,
  unsupported,
} from '@stowage/core';
import { unzipSync } from 'fflate';

registerUriScheme('zip');

/**
 * `zip://archive-name/path/in/archive`: a read-only view of zip archives. The archive is unpacked
 * into memory once (fflate), so this suits small archives; everything else — listing order,
 * ranges, errors — follows the Provider contract, which the conformance suite checks.
 */
export class ZipProvider implements Provider {
  readonly name = 'zip';
  readonly schemes = ['zip'];
  readonly capabilities: Readonly<Capabilities> = {
    ...NO_CAPABILITIES,
    read: true,
    list: true,
    rangeRead: true,
  };
  private readonly archives = new Map<string, Map<string, Uint8Array>>();

  /** Make `path` (a .zip file) available as `zip://name/`. */
  async mount(name: string, path: string): Promise<void> {
    const files = unzipSync(new Uint8Array(await readFile(path)));
    this.archives.set(name, new Map(Object.entries(files).filter(([key]) => !key.endsWith('/'))));
  }

  private entry(uri: StorageUri): Uint8Array {
    const data = this.archives.get(uri.bucket)?.get(uri.key);
    if (!data)
      throw new NotFoundError(`No ${uri.key} in zip archive ${uri.bucket}`, {
        uri: `zip://${uri.bucket}/${uri.key}`,
        provider: this.name,
      });
    return data;
  }

  async stat(uri: StorageUri): Promise<ObjectStat> {
    return { uri, size: this.entry(uri).length, acceptsRanges: true };
  }

  async read(uri: StorageUri, options: ReadOptions = {}): Promise<Readable> {
    let data = this.entry(uri);
    if (options.range) {
      const span = resolveRange(options.range, data.length, `zip://${uri.bucket}/${uri.key}`);
      data = span ? data.subarray(span[0], span[1] + 1) : data.subarray(0, 0);
    }
    return Readable.from(data.length ? [Buffer.from(data)] : [], { signal: options.signal });
  }

  async *list(prefix: StorageUri, options: ListOptions = {}): AsyncIterable<Entry> {
    const files = this.archives.get(prefix.bucket) ?? new Map<string, Uint8Array>();
    const keys = [...files.keys()].filter((k) => k.startsWith(prefix.key)).sort(compareKeys);
    yield* delimitListing(
      prefix,
      prefix.key,
      keys.map((key) => ({ key, size: files.get(key)!.length })),
      options.recursive ?? false,
    );
  }

  async write(uri: StorageUri): Promise<never> {
    throw unsupported(this.name, 'write (zip archives are read-only)', uri);
  }

  async delete(uri: StorageUri): Promise<never> {
    throw unsupported(this.name, 'delete (zip archives are read-only)', uri);
  }

  deleteMany(uris: Iterable<StorageUri> | AsyncIterable<StorageUri>) {
    return deleteEach(this, uris);
  }
}
