import { constants, createReadStream } from 'node:fs';
import { chmod, copyFile, mkdir, open, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { toAbortedError } from '../../errors/abort.js';
import {
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  PreconditionFailedError,
} from '../../errors/error-types.js';
import type { StowageError } from '../../errors/stowage-error.js';
import { delimitListing } from '../../listing/delimit.js';
import { writeFileAtomically } from '../../local/atomic-file.js';
import { assertDirectoryWithin } from '../../local/confined-path.js';
import { toFsError } from '../../local/fs-error.js';
import { modeToKeep } from '../../local/kept-mode.js';
import { sweepStaleTemps } from '../../local/stale-temps.js';
import { tempPathFor } from '../../local/temp-path.js';
import { abandonable } from '../../provider/abandonable.js';
import { toReadable } from '../../provider/body.js';
import type { Capabilities } from '../../provider/capabilities.js';
import { deleteEach } from '../../provider/delete-each.js';
import type {
  Body,
  CopyObjectOptions,
  DeleteOptions,
  DeleteOutcome,
  Entry,
  ListOptions,
  ObjectStat,
  Provider,
  ReadOptions,
  StatOptions,
  WriteOptions,
  WriteResult,
} from '../../provider/provider.js';
import { resolveRange } from '../../provider/range.js';
import { assertPinHolds } from '../../provider/read-pin.js';
import { displayUri, type StorageUri } from '../../uri/storage-uri.js';
import { asPrefix } from '../../uri/uri-path.js';
import { fileEtag, walkFiles } from './fs-walk.js';

/** Options of {@link FsProvider}. */
export interface FsProviderOptions {
  /**
   * Confine the provider to this directory: URIs outside it are refused, and so is a write that a
   * symbolic link inside it would carry out of it.
   */
  root?: string;
}

/**
 * `file:///abs/path` and plain paths. Writes stream into a temp file beside the target and are
 * renamed into place, so a crash or abort never leaves a partial file; listings follow S3 rules
 * (key order, `/` delimiter) so code written against S3 behaves the same on disk. A key ending in
 * `/` is a directory: writing it (empty) creates the directory, deleting it removes the directory when it is empty, `stat`
 * says NotFound. No user metadata, content type or multipart hooks (see `capabilities`).
 *
 * Destinations: a write with `within` (every file of a tree copy) or under the provider's `root`
 * is refused when a symbolic link below that root leads out of it; links above it are followed. A
 * file written over keeps its mode. Temp files are named so they cannot pass for user data; they
 * are never listed, and those left by killed processes are removed when their directory is next
 * written (see `docs/transfers.md`, "Local destinations and temp files").
 */
export class FsProvider implements Provider {
  readonly name = 'fs';
  readonly schemes = ['file'] as const;
  readonly capabilities: Readonly<Capabilities> = Object.freeze({
    read: true,
    write: true,
    list: true,
    delete: true,
    rangeRead: true,
    multipart: false,
    serverSideCopy: true,
    presign: false,
    versioning: false,
    metadata: false,
    conditionalRead: true,
    conditionalWrite: true,
    delimiters: true,
    limits: Object.freeze({}),
  });
  private readonly root: string | undefined;

  constructor(options: FsProviderOptions = {}) {
    this.root = options.root === undefined ? undefined : resolve(options.root);
  }

  private pathOf(uri: StorageUri): string {
    const path = `/${uri.key}`;
    if (this.root !== undefined) {
      const rel = relative(this.root, resolve(path));
      if (rel.startsWith('..') || rel.startsWith(sep)) {
        throw new PermissionDeniedError(`${displayUri(uri)} is outside the provider root ${this.root}`, {
          uri: displayUri(uri),
          provider: this.name,
        });
      }
    }
    return path;
  }

  /** The typed error of a failed call on `uri` (see `toFsError`); `writing` when it created or replaced it. */
  private mapError(error: unknown, uri: StorageUri, writing = false): Promise<unknown> {
    return toFsError(error, {
      uri: displayUri(uri),
      path: `/${uri.key}`,
      provider: this.name,
      writing,
      directory: uri.key.endsWith('/'),
    });
  }

  /**
   * Refuse a write into `dir` that a symbolic link would carry out of the provider's root or out of
   * `within` (a tree copy's destination prefix).
   */
  private async confine(dir: string, uri: StorageUri, within: StorageUri | undefined): Promise<void> {
    const label = displayUri(uri);
    if (this.root !== undefined) await assertDirectoryWithin(dir, this.root, label);
    if (within !== undefined && within.scheme === 'file')
      await assertDirectoryWithin(dir, this.pathOf(asPrefix(within)), label);
  }

  private notAFile(uri: StorageUri, what: string): NotFoundError {
    return new NotFoundError(`${displayUri(uri)} is ${what}`, { uri: displayUri(uri), provider: this.name });
  }

  async stat(uri: StorageUri, _options?: StatOptions): Promise<ObjectStat> {
    const path = this.pathOf(uri);
    if (uri.key.endsWith('/')) throw this.notAFile(uri, 'a directory, not a file');
    const info = await stat(path).catch(async (e) => {
      throw await this.mapError(e, uri);
    });
    if (!info.isFile()) throw this.notAFile(uri, 'not a regular file');
    return { uri, size: info.size, etag: fileEtag(info), lastModified: info.mtime, acceptsRanges: true };
  }

  async read(uri: StorageUri, options: ReadOptions = {}): Promise<Readable> {
    if (options.signal?.aborted) throw toAbortedError(options.signal.reason);
    const path = this.pathOf(uri);
    if (uri.key.endsWith('/')) throw this.notAFile(uri, 'a directory, not a file');
    // Open first, then check the open file: the bytes read are those of the file whose validator
    // was checked, even when the path is replaced in between.
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever; on a
    // regular file the flag does nothing. The fstat below then refuses anything but a file.
    const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)).catch(async (e) => {
      throw await this.mapError(e, uri);
    });
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw this.notAFile(uri, 'not a regular file');
      assertPinHolds(options, { etag: fileEtag(info), lastModified: info.mtime }, displayUri(uri), this.name);
      let start = 0;
      let end: number | undefined;
      if (options.range) {
        const span = resolveRange(options.range, info.size, displayUri(uri));
        if (!span) {
          await handle.close();
          return toReadable(new Uint8Array());
        }
        [start, end] = span;
      }
      return abandonable(
        createReadStream(path, {
          fd: handle,
          start,
          ...(end === undefined ? {} : { end }),
          highWaterMark: readChunkFor((end ?? info.size - 1) - start + 1),
          ...(options.signal ? { signal: options.signal } : {}),
        }),
        options.signal,
      );
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  async write(uri: StorageUri, body: Body, options: WriteOptions = {}): Promise<WriteResult> {
    const path = this.pathOf(uri);
    if (uri.key.endsWith('/')) {
      // A "dir/" marker object: the directory itself. Only an empty marker makes sense.
      const source = toReadable(body);
      for await (const chunk of source) {
        if ((chunk as Buffer).length > 0)
          throw new InvalidArgumentError(`Cannot write data to a directory key: ${displayUri(uri)}`, {
            uri: displayUri(uri),
          });
      }
      try {
        await this.confine(path, uri, options.within);
        await mkdir(path, { recursive: true });
      } catch (error) {
        throw await this.mapError(error, uri, true);
      }
      return { uri, size: 0 };
    }
    try {
      await this.confine(dirname(path), uri, options.within);
      const result = await writeFileAtomically(path, toReadable(body), {
        label: displayUri(uri),
        ...(options.contentLength === undefined ? {} : { expectedSize: options.contentLength }),
        ...(options.checksum === undefined ? {} : { expectedChecksums: options.checksum }),
        createOnly: options.ifNoneMatch === '*',
        ...(options.durable ? { durable: true } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      return { uri, size: result.size, etag: fileEtag(result.stats), checksums: result.checksums };
    } catch (error) {
      throw await this.mapError(error, uri, true);
    }
  }

  async *list(prefix: StorageUri, options: ListOptions = {}): AsyncIterable<Entry> {
    const key = prefix.key;
    const slash = key.lastIndexOf('/');
    const dirKey = key.slice(0, slash + 1);
    const namePrefix = key.slice(slash + 1);
    const dir = this.pathOf({ ...prefix, key: dirKey });
    const report = options.onUnreadable;
    const files = walkFiles(
      dir,
      dirKey,
      namePrefix,
      options.recursive ?? false,
      options.signal,
      report &&
        (async (unreadable, error) => {
          const part = { ...prefix, key: unreadable };
          report(part, (await this.mapError(error, part)) as StowageError);
        }),
    );
    try {
      for await (const entry of delimitListing(
        prefix,
        key,
        files,
        options.recursive ?? false,
        options.startAfter,
      )) {
        if (options.signal?.aborted) throw toAbortedError(options.signal.reason);
        yield entry;
      }
    } catch (error) {
      // Out of file descriptors, no permission on a sub-directory: typed, like every other call.
      throw await this.mapError(error, { ...prefix, key: dirKey });
    }
    // The walk stops quietly on abort; a listing cut short must not pass for a complete one.
    if (options.signal?.aborted) throw toAbortedError(options.signal.reason);
  }

  async delete(uri: StorageUri, _options?: DeleteOptions): Promise<void> {
    const path = this.pathOf(uri);
    if (uri.key.endsWith('/')) {
      // A `dir/` marker is the directory itself (write() creates it), so deleting the marker
      // removes the directory, but only an empty one: as on S3, deleting `dir/` must not delete
      // `dir/x`, and a moveTree leaves excluded, skipped or failed files in it. rmdir never
      // recurses; a directory that is not empty (or is gone, or is a file) is left as it is.
      await rmdir(path).catch(async (error: NodeJS.ErrnoException) => {
        if (['ENOTEMPTY', 'EEXIST', 'ENOENT', 'ENOTDIR'].includes(error.code ?? '')) return;
        throw await this.mapError(error, uri);
      });
      return;
    }
    await unlink(path).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return;
      throw await this.mapError(error, uri);
    });
  }

  deleteMany(
    uris: Iterable<StorageUri> | AsyncIterable<StorageUri>,
    options?: DeleteOptions,
  ): AsyncIterable<DeleteOutcome> {
    return deleteEach(this, uris, options);
  }

  async copy(
    source: StorageUri,
    destination: StorageUri,
    options: CopyObjectOptions = {},
  ): Promise<WriteResult> {
    const info = await this.stat(source);
    if (options.ifMatch !== undefined && options.ifMatch !== info.etag) {
      throw new PreconditionFailedError(
        `${displayUri(source)} changed (ETag is no longer ${options.ifMatch})`,
        { uri: displayUri(source) },
      );
    }
    const target = this.pathOf(destination);
    const temp = tempPathFor(target);
    try {
      await this.confine(dirname(target), destination, options.within);
      await mkdir(dirname(target), { recursive: true });
      const mode = await modeToKeep(target);
      // copyFile uses copy-on-write clones where the file system has them; EXCL never follows a link.
      await copyFile(this.pathOf(source), temp, constants.COPYFILE_EXCL).catch(async (error) => {
        // The source went away after its stat: that is the source's NotFound, not the destination's.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw await this.mapError(error, source);
        throw error;
      });
      if (mode !== undefined) await chmod(temp, mode);
      await rename(temp, target);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw await this.mapError(error, destination, true);
    }
    await sweepStaleTemps(dirname(target));
    const out = await stat(target);
    return { uri: destination, size: out.size, etag: fileEtag(out) };
  }
}

/**
 * Bytes per read of a file: the whole of a small one (up to 1 MiB) in one read, so an upload of a
 * tree's small files takes one chunk each, which the S3 writer sends without gathering it into a
 * second buffer (a tree of 1,000 x 1 MiB files to s3rver: 5 % less CPU than 256 KiB reads).
 * Larger files read 256 KiB at a time: their parts are assembled in pooled buffers anyway, and
 * bigger reads only raise the peak memory of a large upload.
 */
function readChunkFor(length: number): number {
  return length <= 1024 * 1024 ? Math.max(length, 64 * 1024) : 256 * 1024;
}
