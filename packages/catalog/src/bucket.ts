import { stat } from 'node:fs/promises';
import { homedir as osHomedir } from 'node:os';
import {
  type CopyResult,
  type CopyTreeOptions,
  type CopyTreeResult,
  type CredentialSource,
  createStorage,
  displayUri,
  FsProvider,
  InvalidArgumentError,
  isStowageError,
  NotFoundError,
  type Provider,
  type Storage,
  type StorageUri,
  StowageError,
  type Transfer,
  type TransferEvent,
} from '@stowage/core';
import { S3Provider, type S3ProviderOptions, type S3ServerSideEncryption } from '@stowage/s3';
import { bucketRoot, keyUri, lastSegment, location } from './bucket-paths.js';

/** Options of {@link Bucket}. */
export interface BucketOptions {
  /**
   * Where S3 credentials come from. Default: the S3 provider's AWS chain. Pass
   * `catalogCredentials()` (alone, or first in a `CredentialChain`) for a catalog's buckets.
   */
  credentials?: CredentialSource;
  /** Client region (a catalog's `region` saves a redirect per request). */
  region?: string;
  /** S3-compatible endpoint (MinIO, Ceph, R2, a local server); quilt3 needs a client hook for this (#1629). */
  endpoint?: string;
  /** Path-style addressing, which most S3-compatible stores need. */
  forcePathStyle?: boolean;
  /** Encrypt written objects (buckets whose policy demands SSE refuse plain PUTs; quilt3 #1326). */
  serverSideEncryption?: S3ServerSideEncryption;
  /** Any other S3 provider option (checksums, part size, requester pays, …). */
  s3?: S3ProviderOptions;
  /** Use this provider instead of building an S3 one (custom layers, other S3 stacks). */
  provider?: Provider;
  /** Defaults for every transfer (overwrite policy, concurrency, part size, …). */
  transfer?: CopyTreeOptions;
  /** Told about every transfer event of this bucket (progress, retries, per-file results). */
  onEvent?: (event: TransferEvent) => void;
  /** Home directory for `~` in local paths. */
  homedir?: string;
}

/** Per-call options of transfers. */
export interface BucketTransferOptions extends CopyTreeOptions {
  /** Told about this call's events only (a tree's per-file events included). */
  onEvent?: (event: TransferEvent) => void;
}

/** One object in an `ls` answer. */
export interface BucketObject {
  /** Full key from the bucket root (not relative to the listed path). */
  key: string;
  /** Size in bytes. */
  size: number;
  /** ETag as S3 lists it (quoted; not an MD5 for multipart uploads). */
  etag?: string;
  /** Last-modified time as listed, when the server gives one. */
  lastModified?: Date;
}

/**
 * What `ls` returns, always in this shape (quilt3 returns a 3-tuple or a 2-tuple depending on
 * `recursive`): `prefixes` are the sub-directories at this level (empty when recursive); `objects`
 * never include `dir/` marker objects, which stand for directories.
 */
export interface LsResult {
  /** Sub-directory keys at this level, each ending in `/`; empty when recursive. */
  prefixes: string[];
  /** Objects in key order, `dir/` markers left out. */
  objects: BucketObject[];
}

/** Options of {@link Bucket.deleteDir}. */
export interface DeleteDirOptions {
  /** Required to delete with the prefix `''`, i.e. every object in the bucket (quilt3 does it silently). */
  allowEntireBucket?: boolean;
  /** Stops listing and deleting; objects already deleted stay deleted. */
  signal?: AbortSignal;
}

/** What `deleteDir` did. */
export interface DeleteDirResult {
  /** Objects deleted. */
  deleted: number;
  /**
   * Keys that could not be deleted (the others still were); `deleteDir` throws when this is not
   * empty, with this result on the error's `result` property.
   */
  failed: Array<{
    /** Full key of the object. */
    key: string;
    /** Error code (a Stowage error code, else `Error`). */
    code: string;
    /** Why it failed. */
    message: string;
  }>;
}

/**
 * quilt3's `Bucket` for TypeScript: `putFile`, `putDir`, `fetch`, `keys`, `ls`, `delete`, `deleteDir`
 * with quilt3's path rules (a key ending in `/` gets the file's base name; a trailing `/` means a
 * directory), without its traps: `dir/` markers are directories, listings stream, deletes are
 * batched, deleting the whole bucket takes an explicit flag, downloads never leave a partial file,
 * and progress is an rxjs stream (`events$`).
 */
export class Bucket {
  /** The bucket root (`s3://name/`). */
  readonly uri: StorageUri;
  /** The storage doing the work (S3 + local files); use it for anything the facade lacks. */
  readonly storage: Storage;
  /** Every transfer event of this bucket. */
  readonly events$: Storage['events$'];
  private readonly provider: Provider;
  private readonly defaults: CopyTreeOptions;
  private readonly home: string;

  constructor(bucketUri: string, options: BucketOptions = {}) {
    this.uri = bucketRoot(bucketUri);
    this.provider =
      options.provider ??
      new S3Provider({
        ...options.s3,
        ...(options.credentials ? { credentials: options.credentials } : {}),
        ...(options.region ? { region: options.region } : {}),
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        ...(options.forcePathStyle !== undefined ? { forcePathStyle: options.forcePathStyle } : {}),
        ...(options.serverSideEncryption ? { serverSideEncryption: options.serverSideEncryption } : {}),
      });
    this.storage = createStorage({ providers: [this.provider, new FsProvider()] });
    this.events$ = this.storage.events$;
    if (options.onEvent) this.events$.subscribe(options.onEvent);
    this.defaults = options.transfer ?? {};
    this.home = options.homedir ?? osHomedir();
  }
  /** The bucket's provider as the storage runs it: with its layers (the retry policy among them). */
  private get layered(): Provider {
    return this.storage.providerFor(this.target(''));
  }

  /** The bucket's name. */
  get name(): string {
    return this.uri.bucket;
  }

  private target(key: string): StorageUri {
    return keyUri(this.uri, key);
  }

  private async run<R>(transfer: Transfer<R>, onEvent?: (event: TransferEvent) => void): Promise<R> {
    if (!onEvent) return transfer.done;
    const subscription = this.storage.events$.subscribe((event) => {
      if (event.transferId === transfer.id || event.parentId === transfer.id) onEvent(event);
    });
    try {
      return await transfer.done;
    } finally {
      subscription.unsubscribe();
    }
  }

  private options(options: BucketTransferOptions): {
    copy: CopyTreeOptions;
    onEvent?: (e: TransferEvent) => void;
  } {
    const { onEvent, ...rest } = options;
    return { copy: { ...this.defaults, ...rest }, ...(onEvent ? { onEvent } : {}) };
  }

  /**
   * Upload one file to `key` (a key ending in `/` gets the file's base name). `path` may be an
   * `s3://` URL, which makes a server-side copy. A directory is refused unless both `key` and
   * `path` end in `/` (then this is `putDir`). The object appears whole or not at all.
   */
  async putFile(
    key: string,
    path: string,
    options: BucketTransferOptions = {},
  ): Promise<CopyResult | CopyTreeResult> {
    const source = location(path, this.home);
    if (source.localPath !== undefined) {
      const info = await stat(source.localPath).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT')
          throw new NotFoundError(`No such file: ${source.localPath}`, { uri: source.localPath });
        throw error;
      });
      if (info.isDirectory()) {
        if (source.slash && key.endsWith('/')) return this.putDir(key, path, options);
        throw new InvalidArgumentError(`Not a file: ${source.localPath} is a directory`, {
          uri: source.localPath,
          hint: 'Use putDir(key, directory) to upload a directory.',
        });
      }
      if (source.slash) {
        throw new InvalidArgumentError(`${path} ends in "/" but is a file`, {
          uri: source.localPath,
          hint: 'Drop the trailing "/" to upload the file.',
        });
      }
    } else if (source.slash) {
      throw new InvalidArgumentError(`putFile takes one object; ${displayUri(source.uri)} is a prefix`, {
        uri: displayUri(source.uri),
      });
    }
    const destination = this.target(key.endsWith('/') ? key + lastSegment(path) : key);
    const { copy, onEvent } = this.options(options);
    return this.run(this.storage.copy(source.uri, destination, copy), onEvent);
  }

  /**
   * Upload every file under `directory` (recursively, hidden files included) to `key/`. An empty
   * directory uploads nothing (quilt3 raises "No objects to download.").
   */
  async putDir(key: string, directory: string, options: BucketTransferOptions = {}): Promise<CopyTreeResult> {
    const source = location(directory.endsWith('/') ? directory : `${directory}/`, this.home);
    if (source.localPath !== undefined) {
      const info = await stat(source.localPath).catch(() => undefined);
      if (!info?.isDirectory()) {
        throw new NotFoundError(`Provided directory does not exist: ${source.localPath}`, {
          uri: source.localPath,
        });
      }
    }
    const prefix = key === '' || key.endsWith('/') ? key : `${key}/`;
    const { copy, onEvent } = this.options(options);
    return this.run(this.storage.copyTree(source.uri, this.target(prefix), copy), onEvent);
  }

  /**
   * Download `key` to `path` (local or `s3://`). A key ending in `/` (or `''`) copies the whole
   * prefix and needs a destination ending in `/`; `dir/` markers become directories instead of
   * failing the copy (quilt3 #4641). A single key to a path ending in `/` keeps its base name.
   * Files are written to a temp file, verified, then renamed: never a partial file.
   */
  async fetch(
    key: string,
    path: string,
    options: BucketTransferOptions = {},
  ): Promise<CopyResult | CopyTreeResult> {
    const destination = location(path, this.home);
    const { copy, onEvent } = this.options(options);
    if (key === '' || key.endsWith('/')) {
      if (!destination.slash) {
        throw new InvalidArgumentError(
          `Destination path must end in "/" to fetch the prefix "${key}": ${path}`,
          {
            uri: path,
            hint: `Use "${path}/".`,
          },
        );
      }
      return this.run(this.storage.copyTree(this.target(key), destination.uri, copy), onEvent);
    }
    return this.run(this.storage.copy(this.target(key), destination.uri, copy), onEvent);
  }

  /**
   * Every key in the bucket (or under `prefix`, which need not end in `/`), streamed page by page in
   * key order: memory stays flat however big the bucket (quilt3 builds the whole list).
   */
  async *keys(options: { prefix?: string; signal?: AbortSignal } = {}): AsyncIterable<string> {
    const listing = this.layered.list(this.target(options.prefix ?? ''), {
      recursive: true,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    for await (const entry of listing) if (entry.type === 'object') yield entry.key;
  }

  /**
   * List one level under `path` (a `/` is added when missing), or everything below it with
   * `recursive`. Always `{ prefixes, objects }`; see {@link LsResult}.
   */
  async ls(path = '', options: { recursive?: boolean; signal?: AbortSignal } = {}): Promise<LsResult> {
    const prefix = path === '' || path.endsWith('/') ? path : `${path}/`;
    const result: LsResult = { prefixes: [], objects: [] };
    const listing = this.layered.list(this.target(prefix), {
      recursive: options.recursive ?? false,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    for await (const entry of listing) {
      if (entry.type === 'prefix') result.prefixes.push(entry.key);
      else if (!entry.key.endsWith('/')) {
        result.objects.push({
          key: entry.key,
          size: entry.size,
          ...(entry.etag !== undefined ? { etag: entry.etag } : {}),
          ...(entry.lastModified !== undefined ? { lastModified: entry.lastModified } : {}),
        });
      }
    }
    return result;
  }

  /** Delete one object. A key ending in `/` is refused (use `deleteDir`); a missing key is NotFound. */
  async delete(key: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (key === '' || key.endsWith('/')) {
      throw new InvalidArgumentError(`delete() takes one object key, not the prefix "${key}"`, {
        uri: displayUri(this.target(key)),
        hint: 'Use deleteDir(prefix) to delete a directory.',
      });
    }
    const uri = this.target(key);
    await this.layered.stat(uri, options);
    await this.layered.delete(uri, options);
  }

  /**
   * Delete every object under `path` (which must end in `/`), `dir/` markers included, in
   * DeleteObjects batches of up to 1,000. `''` (the whole bucket) needs `allowEntireBucket: true`.
   * A key that fails does not stop the others; the call then throws, naming how many failed.
   */
  async deleteDir(path: string, options: DeleteDirOptions = {}): Promise<DeleteDirResult> {
    if (path === '' && !options.allowEntireBucket) {
      throw new InvalidArgumentError(
        `deleteDir('') would delete every object in ${displayUri(this.uri)}; pass { allowEntireBucket: true } if you mean it`,
        { uri: displayUri(this.uri) },
      );
    }
    if (path !== '' && !path.endsWith('/')) {
      throw new InvalidArgumentError(`Prefix must end with "/": "${path}"`, {
        uri: displayUri(this.target(path)),
        hint: `Use "${path}/" to delete the directory, or delete("${path}") for one object.`,
      });
    }
    const signal = options.signal ? { signal: options.signal } : {};
    const provider = this.layered;
    const prefix = this.target(path);
    async function* objects(): AsyncIterable<StorageUri> {
      for await (const entry of provider.list(prefix, { recursive: true, ...signal }))
        if (entry.type === 'object') yield entry.uri;
    }
    const result: DeleteDirResult = { deleted: 0, failed: [] };
    let first: unknown;
    for await (const outcome of provider.deleteMany(objects(), signal)) {
      if (!outcome.error) {
        result.deleted++;
        continue;
      }
      first ??= outcome.error;
      result.failed.push({
        key: outcome.uri.key,
        code: (outcome.error as { code?: string }).code ?? 'Error',
        message: outcome.error.message,
      });
    }
    if (first !== undefined) {
      const message = `${result.failed.length} of ${result.failed.length + result.deleted} objects under ${displayUri(prefix)} could not be deleted (first: ${(first as Error).message})`;
      const error = isStowageError(first)
        ? aggregateOf(first, message, displayUri(prefix))
        : new Error(message, { cause: first });
      (error as Error & { result?: DeleteDirResult }).result = result;
      throw error;
    }
    return result;
  }

  /** Release the S3 client's sockets. */
  async close(): Promise<void> {
    await this.storage.close();
  }
}

/**
 * The first failure's type, code and advice (`retryable`, `hint`, `provider`) with the aggregate
 * message. Built on the base class and given the first error's prototype, because the subclasses'
 * constructors do not share one signature.
 */
function aggregateOf(first: StowageError, message: string, uri: string): StowageError {
  const error = new StowageError(first.code, message, {
    uri,
    retryable: first.retryable,
    cause: first,
    ...(first.provider === undefined ? {} : { provider: first.provider }),
    ...(first.hint === undefined ? {} : { hint: first.hint }),
    ...(first.requestId === undefined ? {} : { requestId: first.requestId }),
  });
  Object.setPrototypeOf(error, Object.getPrototypeOf(first));
  error.name = first.name;
  return error;
}
