import { Readable } from 'node:stream';
import {
  assertPinHolds,
  type Body,
  type Capabilities,
  compareKeys,
  DigestSet,
  delimitListing,
  type Entry,
  formatUri,
  type ListOptions,
  NO_CAPABILITIES,
  NotFoundError,
  type ObjectStat,
  PreconditionFailedError,
  type ProviderSpec,
  type ReadOptions,
  resolveRange,
  type StatOptions,
  type StorageUri,
  throwIfAborted,
  toAbortedError,
  toReadable,
  verifyChecksums,
  verifySize,
  type WriteOptions,
  type WriteResult,
} from '@stowage/core';

/** One stored value and the validators the engine pins and verifies copies with. */
interface Value {
  data: Buffer;
  md5Hex: string;
  lastModified: Date;
}

/**
 * `kv://namespace/key`: a whole adapter in one file, over an in-process map. It writes what it
 * does (stat, read, write, list, delete) and nothing else: `defineProvider` makes deleteMany one
 * delete per key and would refuse anything left out; retries, timeouts, ranged downloads,
 * multipart uploads, progress and verification of copies are the engine's and the layers'.
 */
export class KvProvider implements ProviderSpec {
  readonly name = 'kv';
  readonly schemes = ['kv'];
  readonly capabilities: Readonly<Capabilities> = {
    ...NO_CAPABILITIES,
    read: true,
    write: true,
    list: true,
    delete: true,
    delimiters: true,
    rangeRead: true,
    conditionalRead: true,
    conditionalWrite: true,
  };
  private readonly store = new Map<string, Value>();

  private id(uri: StorageUri): string {
    return `${uri.bucket}/${uri.key}`;
  }

  private value(uri: StorageUri): Value {
    const value = this.store.get(this.id(uri));
    if (!value)
      throw new NotFoundError(`No such key: ${formatUri(uri)}`, { uri: formatUri(uri), provider: this.name });
    return value;
  }

  async stat(uri: StorageUri, options: StatOptions = {}): Promise<ObjectStat> {
    throwIfAborted(options.signal, `stat of ${formatUri(uri)}`);
    const { data, md5Hex, lastModified } = this.value(uri);
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
    const { data, md5Hex, lastModified } = this.value(uri);
    // The engine pins every read of one copy to the version it saw first.
    assertPinHolds(options, { etag: `"${md5Hex}"`, lastModified }, formatUri(uri), this.name);
    const span = options.range && resolveRange(options.range, data.length, formatUri(uri));
    const bytes = !options.range ? data : span ? data.subarray(span[0], span[1] + 1) : data.subarray(0, 0);
    const slices = function* () {
      for (let at = 0; at < bytes.length; at += 64 * 1024) yield bytes.subarray(at, at + 64 * 1024);
    };
    return Readable.from(slices(), options.signal ? { signal: options.signal } : {});
  }

  async write(uri: StorageUri, body: Body, options: WriteOptions = {}): Promise<WriteResult> {
    const where = formatUri(uri);
    throwIfAborted(options.signal, `write to ${where}`);
    // Count and hash on the way in; store only a body that is whole and what was promised.
    const digests = new DigestSet(['md5', 'sha256']);
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of toReadable(body) as AsyncIterable<Buffer>) {
        throwIfAborted(options.signal, `write to ${where}`);
        digests.update(chunk);
        chunks.push(chunk);
      }
    } catch (error) {
      throw options.signal?.aborted ? toAbortedError(options.signal.reason, `write to ${where}`) : error;
    }
    const data = Buffer.concat(chunks);
    verifySize(options.contentLength, data.length, where);
    const checksums = digests.checksums();
    verifyChecksums(options.checksum, checksums, where);
    const md5Hex = checksums.md5Hex ?? '';
    // Create-only writes: checked and done in one step, so of racing writers exactly one wins.
    if (options.ifNoneMatch === '*' && this.store.has(this.id(uri))) {
      throw new PreconditionFailedError(`${where} exists (create-only write)`, {
        uri: where,
        provider: this.name,
      });
    }
    this.store.set(this.id(uri), { data, md5Hex, lastModified: new Date() });
    options.onProgress?.(data.length);
    return { uri, size: data.length, etag: `"${md5Hex}"`, checksums };
  }

  async *list(prefix: StorageUri, options: ListOptions = {}): AsyncIterable<Entry> {
    throwIfAborted(options.signal, `list of ${formatUri(prefix)}`);
    const namespace = `${prefix.bucket}/`;
    const objects = [...this.store]
      .filter(([id]) => id.startsWith(namespace + prefix.key))
      .map(([id, value]) => ({
        key: id.slice(namespace.length),
        size: value.data.length,
        etag: `"${value.md5Hex}"`,
        lastModified: value.lastModified,
      }))
      .sort((a, b) => compareKeys(a.key, b.key));
    yield* delimitListing(prefix, prefix.key, objects, options.recursive ?? false, options.startAfter);
  }

  async delete(uri: StorageUri, options: { signal?: AbortSignal } = {}): Promise<void> {
    throwIfAborted(options.signal, `delete of ${formatUri(uri)}`);
    this.store.delete(this.id(uri));
  }
}
