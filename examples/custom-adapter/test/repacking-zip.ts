import { writeFile } from 'node:fs/promises';
import {
  type Body,
  type Capabilities,
  deleteEach,
  type Entry,
  isStowageError,
  type ListOptions,
  MemoryProvider,
  type Provider,
  parseUri,
  type ReadOptions,
  readAll,
  type StatOptions,
  type StorageUri,
  unsupported,
  type WriteOptions,
  type WriteResult,
  withKey,
} from '@stowage/core';
import { zipSync } from 'fflate';
import type { ZipProvider } from '../src/zip-provider.js';

/**
 * A test double that lets the conformance suite seed a read-only {@link ZipProvider}: writes and
 * deletes are staged in a MemoryProvider (which keeps the write contract: atomic, length and
 * checksum verified, abortable), and before the next stat, read or list the staged objects are
 * packed into a real zip file and mounted again. So every read behaviour of the suite runs through
 * ZipProvider over real archive bytes; only the seeding is borrowed.
 */
export class RepackingZip implements Provider {
  readonly name = 'zip';
  readonly schemes = ['zip'];
  readonly capabilities: Readonly<Capabilities>;
  private readonly staging = new MemoryProvider();
  private readonly stagingRoot: StorageUri;
  /** Bumped by every write and delete; the archive on disk is current when `packed` equals it. */
  private version = 0;
  private packed = 0;
  private packing: Promise<void> | undefined;

  constructor(
    private readonly zip: ZipProvider,
    private readonly archive: string,
    private readonly path: string,
  ) {
    this.capabilities = { ...zip.capabilities, write: true, delete: true };
    this.stagingRoot = parseUri(`mem://${archive}/`);
  }

  private staged(uri: StorageUri): StorageUri {
    return withKey(this.stagingRoot, uri.key);
  }

  async write(uri: StorageUri, body: Body, options: WriteOptions = {}): Promise<WriteResult> {
    if (options.ifNoneMatch !== undefined) throw unsupported(this.name, 'ifNoneMatch', uri);
    const result = await this.staging.write(this.staged(uri), body, options);
    this.version++;
    return { uri, size: result.size };
  }

  async delete(uri: StorageUri, options = {}): Promise<void> {
    await this.staging.delete(this.staged(uri), options);
    this.version++;
  }

  deleteMany(uris: Iterable<StorageUri> | AsyncIterable<StorageUri>) {
    return deleteEach(this, uris);
  }

  async stat(uri: StorageUri, options?: StatOptions) {
    await this.current();
    return this.zip.stat(uri, options);
  }

  async read(uri: StorageUri, options?: ReadOptions) {
    await this.current();
    return this.zip.read(uri, options);
  }

  async *list(prefix: StorageUri, options?: ListOptions): AsyncIterable<Entry> {
    await this.current();
    yield* this.zip.list(prefix, options);
  }

  /** Repack until the archive holds every write that finished before this call. */
  private async current(): Promise<void> {
    while (this.packed !== this.version) {
      this.packing ??= this.repack().finally(() => {
        this.packing = undefined;
      });
      await this.packing;
    }
  }

  private async repack(): Promise<void> {
    const version = this.version;
    const files: Record<string, Uint8Array> = {};
    for await (const entry of this.staging.list(this.stagingRoot, { recursive: true })) {
      if (entry.type !== 'object') continue;
      try {
        files[entry.key] = await readAll(await this.staging.read(entry.uri));
      } catch (error) {
        if (!isStowageError(error, 'NotFound')) throw error; // deleted since it was listed
      }
    }
    await writeFile(this.path, zipSync(files, { level: 0 }));
    await this.zip.mount(this.archive, this.path);
    this.packed = version;
  }
}
