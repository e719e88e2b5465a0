import { Readable } from 'node:stream';
import type { Observable } from 'rxjs';
import { InvalidArgumentError, InvalidUriError } from '../errors/error-types.js';
import { applyLayers } from '../layers/layer.js';
import { CallMetrics } from '../layers/metrics.js';
import type {
  Body,
  DeleteOptions,
  DeleteOutcome,
  Entry,
  ListOptions,
  ObjectStat,
  PresignOptions,
  Provider,
  ReadOptions,
  StatOptions,
  WriteOptions,
  WriteResult,
} from '../provider/provider.js';
import type { ReadPin } from '../provider/read-pin.js';
import { unsupported } from '../provider/unsupported.js';
import { type CopyInternals, copyObject } from '../transfer/copy-object.js';
import type { CopyOptions, CopyResult, CopyTreeOptions, CopyTreeResult } from '../transfer/copy-options.js';
import { copyTree } from '../transfer/copy-tree.js';
import { Subject } from '../transfer/event-subject.js';
import { type ManifestEntry, readManifest } from '../transfer/manifest.js';
import { resumingRead } from '../transfer/resuming-read.js';
import { routedCopy } from '../transfer/routed-copy.js';
import { readPinFor } from '../transfer/source-validator.js';
import {
  deleteExtraneous,
  planSync,
  type SyncTreeOptions,
  type SyncTreeResult,
} from '../transfer/sync-tree.js';
import { Transfer, type TransferContext } from '../transfer/transfer.js';
import type { TransferEvent } from '../transfer/transfer-events.js';
import type { TreeChange } from '../transfer/tree-diff.js';
import { copyTreeFile } from '../transfer/tree-file.js';
import {
  displayUri,
  parseUriWith,
  type StorageUri,
  type UriLike,
  type UriParser,
} from '../uri/storage-uri.js';
import { baseName, isPrefix, joinUri } from '../uri/uri-path.js';
import { defaultLayers } from './default-layers.js';
import type { StorageConfig } from './storage-config.js';

/**
 * The composition root users talk to: it picks the provider for each URI by scheme and applies the
 * configured layers once, so every call goes through the same retry/timeout/logging behaviour.
 * Built by `createStorage`, by `new`, or from a tsyringe container prepared by `register()`.
 */
export class Storage {
  private readonly byScheme = new Map<string, Provider>();
  private readonly parsers = new Map<string, UriParser>();
  /** Providers as registered, after layers. */
  readonly providers: readonly Provider[];
  /** The settings it was built with (layers, credentials, read router, tree concurrency). */
  readonly config: StorageConfig;
  private readonly allEvents = new Subject<TransferEvent>();
  /** Calls, failures and time per provider operation, counted by the default metrics layer. */
  readonly metrics = new CallMetrics();
  /** Every event of every transfer this storage runs, tree members included. */
  readonly events$: Observable<TransferEvent> = this.allEvents.asObservable();

  constructor(providers: Provider[], config: StorageConfig = {}) {
    this.config = config;
    const layered = providers.map((p) =>
      applyLayers(p, config.layers ?? defaultLayers(config, this.metrics)),
    );
    providers.forEach((raw, i) => {
      const provider = layered[i]!;
      for (const scheme of provider.schemes) {
        if (this.byScheme.has(scheme)) {
          throw new InvalidArgumentError(
            `Two providers serve "${scheme}:" (${this.byScheme.get(scheme)!.name} and ${provider.name})`,
          );
        }
        this.byScheme.set(scheme, provider);
        // Layers wrap the calls, not the syntax: the parser is the adapter's own.
        if (raw.parseUri) this.parsers.set(scheme, raw.parseUri.bind(raw));
      }
    });
    this.providers = layered;
  }

  /**
   * Parse a location as this storage reads it: the schemes of its adapters that have their own
   * syntax (`Provider.parseUri`) by their parser, everything else as `parseUri` does.
   * @throws InvalidUriError naming the input and the rule it breaks.
   */
  parseUri(uri: UriLike): StorageUri {
    return parseUriWith(uri, this.parsers);
  }

  /** The provider serving a URI's scheme. @throws InvalidUriError when none does. */
  providerFor(uri: UriLike): Provider {
    const parsed = this.parseUri(uri);
    const provider = this.byScheme.get(parsed.scheme);
    if (!provider) {
      const known = [...this.byScheme.keys()].join(', ');
      throw new InvalidUriError(
        `No provider for "${parsed.scheme}:" in ${displayUri(parsed)} (registered: ${known})`,
        {
          uri: displayUri(parsed),
          hint: `Install and register the adapter for ${parsed.scheme}:// (e.g. @stowage/${parsed.scheme.replace(/s$/, '')}).`,
        },
      );
    }
    return provider;
  }

  /** Size, validators and metadata of one object. */
  stat(uri: UriLike, options?: StatOptions): Promise<ObjectStat> {
    const parsed = this.parseUri(uri);
    return this.providerFor(parsed).stat(parsed, options);
  }

  /** The object's bytes as a stream. */
  async read(uri: UriLike, options: ReadOptions = {}): Promise<Readable> {
    const parsed = this.parseUri(uri);
    const provider = this.providerFor(parsed);
    // A long read survives a dropped connection: pinned to the version a stat sees (the caller's
    // own pin wins), the rest is read from where it broke off. Providers that cannot pin or range
    // are read in one request, as they are.
    if (!provider.capabilities.rangeRead || !provider.capabilities.conditionalRead)
      return provider.read(parsed, options);
    let pin: ReadPin | undefined =
      options.ifMatch !== undefined || options.ifUnmodifiedSince !== undefined
        ? {
            ...(options.ifMatch === undefined ? {} : { ifMatch: options.ifMatch }),
            ...(options.ifUnmodifiedSince === undefined
              ? {}
              : { ifUnmodifiedSince: options.ifUnmodifiedSince }),
          }
        : undefined;
    if (!pin) pin = readPinFor(provider, await provider.stat(parsed, options));
    const { ifMatch: _m, ifUnmodifiedSince: _u, range, ...rest } = options;
    const chunks = resumingRead(provider, parsed, {
      ...rest,
      ...(range ? { range } : {}),
      ...(pin ? { pin } : {}),
    });
    // The first request happens here, so a missing object or a refusal rejects this call.
    const first = await chunks.next();
    return Readable.from(
      (async function* () {
        if (!first.done) yield first.value;
        yield* chunks;
      })(),
      { objectMode: false },
    );
  }

  /** Store an object atomically from a stream, buffer, string or async iterable. */
  write(uri: UriLike, body: Body, options?: WriteOptions): Promise<WriteResult> {
    const parsed = this.parseUri(uri);
    return this.providerFor(parsed).write(parsed, body, options);
  }

  /** Entries under a prefix, in key order, pages hidden. */
  list(prefix: UriLike, options?: ListOptions): AsyncIterable<Entry> {
    const parsed = this.parseUri(prefix);
    return this.providerFor(parsed).list(parsed, options);
  }

  /** Delete one object (a missing object is not an error). */
  delete(uri: UriLike, options?: DeleteOptions): Promise<void> {
    const parsed = this.parseUri(uri);
    return this.providerFor(parsed).delete(parsed, options);
  }

  /** Delete many objects of one provider, batched where it can; yields one outcome per key. */
  async *deleteMany(
    uris: Iterable<UriLike> | AsyncIterable<UriLike>,
    options?: DeleteOptions,
  ): AsyncIterable<DeleteOutcome> {
    let provider: Provider | undefined;
    const self = this;
    async function* parsed(): AsyncIterable<StorageUri> {
      for await (const u of uris) {
        const p = self.parseUri(u);
        const mine = self.providerFor(p);
        if (provider && mine !== provider)
          throw new InvalidArgumentError('deleteMany takes URIs of one provider at a time');
        provider = mine;
        yield p;
      }
    }
    const iterator = parsed()[Symbol.asyncIterator]();
    const first = await iterator.next();
    if (first.done) return;
    async function* all(): AsyncIterable<StorageUri> {
      yield first.value;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    }
    yield* provider!.deleteMany(all(), options);
  }

  /** A time-limited URL granting `method` on the object. */
  presign(uri: UriLike, options?: PresignOptions): Promise<string> {
    const parsed = this.parseUri(uri);
    const provider = this.providerFor(parsed);
    if (!provider.presign) throw unsupported(provider.name, 'presign', parsed);
    return provider.presign(parsed, options);
  }

  /**
   * Copy one object between any two providers (a destination ending in `/` receives the source's
   * base name). Chooses server-side copy, parallel ranged download, multipart upload or a stream;
   * verifies size and digests; never leaves a partial destination. Await the returned Transfer, or
   * subscribe to its `events$`.
   */
  copy(source: UriLike, destination: UriLike, options: CopyOptions = {}): Transfer<CopyResult> {
    const { src, dst } = this.resolvePair(source, destination);
    return new Transfer(
      (context) => this.copyOne(src, dst, options, context),
      this.transferOptions(options.signal),
    );
  }

  /**
   * Where a read of `uri` would go and why, without moving a byte (what `stowage plan` prints). The
   * answer is the read router's: `E` is its explanation type.
   * @throws UnsupportedOperationError when this storage has no read router.
   */
  explainRoute<E = unknown>(uri: UriLike, options?: object): Promise<E> {
    const router = this.config.readRouter;
    if (!router) throw unsupported('storage', 'routing (no read router configured)');
    return router.explain(this.parseUri(uri), options) as Promise<E>;
  }

  private copyOne(
    src: StorageUri,
    dst: StorageUri,
    options: CopyOptions,
    context: TransferContext,
    internals: CopyInternals = {},
    destinationRoot?: StorageUri,
  ): Promise<CopyResult> {
    const router = this.config.readRouter;
    if (router && options.route !== false && router.claims(src)) {
      return routedCopy(
        {
          router,
          source: src,
          destination: dst,
          ends: (s, d) => this.ends(s, d, destinationRoot),
          options,
          internals,
        },
        context,
      );
    }
    return copyObject(this.ends(src, dst, destinationRoot), options, context, internals);
  }

  /**
   * Move one object: copy, verify, then delete the source. The source is deleted only after the
   * copy is verified, and kept when `overwrite: 'never'` found the destination already there.
   */
  move(source: UriLike, destination: UriLike, options: CopyOptions = {}): Transfer<CopyResult> {
    const { src, dst } = this.resolvePair(source, destination);
    return new Transfer(async (context) => {
      const result = await this.copyOne(src, dst, options, context);
      if (result.skipped !== 'exists') await this.providerFor(src).delete(src, { signal: context.signal });
      return result;
    }, this.transferOptions(options.signal));
  }

  /**
   * Copy every object under a prefix to another prefix, keeping relative keys; `dir/` markers stay
   * directories. Streams the listing, runs `fileConcurrency` files at a time, and emits per-file
   * events plus `tree-progress` counts.
   */
  copyTree(
    sourcePrefix: UriLike,
    destinationPrefix: UriLike,
    options: CopyTreeOptions = {},
  ): Transfer<CopyTreeResult> {
    return this.treeTransfer(sourcePrefix, destinationPrefix, options, false);
  }

  /**
   * Move a tree: each file's source is deleted right after its copy is verified, each `dir/`
   * marker's right after it is recreated at the destination. Files skipped because the
   * destination exists, failed files and (with `dryRun`) everything stay at the source.
   */
  moveTree(
    sourcePrefix: UriLike,
    destinationPrefix: UriLike,
    options: CopyTreeOptions = {},
  ): Transfer<CopyTreeResult> {
    return this.treeTransfer(sourcePrefix, destinationPrefix, options, true);
  }

  /**
   * Make a destination tree match a source tree: copy what is missing or different (copyTree with
   * `overwrite: 'if-different'` unless told otherwise), then with `delete` remove destination
   * objects the source lacks (never after a failed copy; include/exclude protect what they leave
   * out). One transfer: its events are the copy's, its result the copy's counts plus deletions.
   */
  syncTree(
    sourcePrefix: UriLike,
    destinationPrefix: UriLike,
    options: SyncTreeOptions = {},
  ): Transfer<SyncTreeResult> {
    const src = this.parseUri(sourcePrefix);
    const dst = this.parseUri(destinationPrefix);
    if (options.manifest !== undefined) {
      throw new InvalidArgumentError(
        'syncTree compares two listings; a manifest replaces the listing only in copyTree',
        {
          hint: 'Copy with copyTree(src, dst, { manifest, overwrite: "if-different" }) instead.',
        },
      );
    }
    const copyOptions: SyncTreeOptions = { ...options, overwrite: options.overwrite ?? 'if-different' };
    return new Transfer(async (context) => {
      const copied = await this.runTree(context, src, dst, copyOptions, false).catch((error: unknown) => {
        const partial = (error as { treeResult?: CopyTreeResult }).treeResult;
        if (partial)
          (error as { treeResult?: SyncTreeResult }).treeResult = {
            ...partial,
            deleted: 0,
            deleteFailures: 0,
          };
        throw error;
      });
      if (!options.delete || options.dryRun) return { ...copied, deleted: 0, deleteFailures: 0 };
      const deletions = await deleteExtraneous(this, src, dst, { ...options, signal: context.signal });
      return { ...copied, ...deletions };
    }, this.transferOptions(options.signal));
  }

  /** What `syncTree` would do, as data (copies, refusals, deletions), from the two listings alone. */
  planSync(
    sourcePrefix: UriLike,
    destinationPrefix: UriLike,
    options: SyncTreeOptions = {},
  ): AsyncIterable<TreeChange> {
    return planSync(this, this.parseUri(sourcePrefix), this.parseUri(destinationPrefix), options);
  }

  /**
   * Where a copy would go and how much it would move, without moving a byte (a dry run): the
   * source's size and the destination as `copy` names it (a destination ending in `/` receives the
   * source's base name).
   */
  async planCopy(
    source: UriLike,
    destination: UriLike,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ source: string; destination: string; bytes: number }> {
    const { src, dst } = this.resolvePair(source, destination);
    const info = await this.providerFor(src).stat(src, options);
    return { source: displayUri(src), destination: displayUri(dst), bytes: info.size };
  }

  private treeTransfer(
    sourcePrefix: UriLike,
    destinationPrefix: UriLike,
    options: CopyTreeOptions,
    move: boolean,
  ): Transfer<CopyTreeResult> {
    const src = this.parseUri(sourcePrefix);
    const dst = this.parseUri(destinationPrefix);
    return new Transfer(
      (context) => this.runTree(context, src, dst, options, move),
      this.transferOptions(options.signal),
    );
  }

  /** The body of a tree transfer: copyTree, each file its own child transfer, forwarded through the tree. */
  private async runTree(
    context: TransferContext,
    src: StorageUri,
    dst: StorageUri,
    given: CopyTreeOptions,
    move: boolean,
  ): Promise<CopyTreeResult> {
    const sourceProvider = this.providerFor(src);
    const destinationProvider = this.providerFor(dst);
    // A sharded worker is rerun after a failure: by default it skips what already landed.
    const options: CopyTreeOptions =
      given.shard && given.overwrite === undefined ? { ...given, overwrite: 'if-different' } : given;
    const manifest =
      options.manifest === undefined ? undefined : await this.manifestOf(options.manifest, context);
    return copyTree(
      {
        source: src,
        destination: dst,
        sourceProvider,
        destinationProvider,
        ...(manifest ? { manifest } : {}),
      },
      options,
      context,
      async (from, destinationOf, entry, pressure) => {
        const child = new Transfer(
          (inner) =>
            copyTreeFile(
              { source: from, destinationOf, destinationPrefix: dst, entry, pressure },
              inner,
              (to, internals) =>
                // Every file of the tree stays inside the destination prefix, links or not.
                this.copyOne(from, to, options, inner, internals, dst),
            ),
          // Through the tree: its events$ carries its files' events, and its sink the storage's.
          { signal: context.signal, parentId: context.id, sink: (event) => context.forward(event) },
        );
        const result = await child.done;
        if (move && result.skipped !== 'exists')
          await sourceProvider.delete(from, { signal: context.signal });
        return result;
      },
      this.config.concurrency ?? 8,
      // Markers are recreated by copyTree itself, not by the copier above, so a move deletes
      // them through this hook; without it they were left behind at the source.
      move ? (marker) => sourceProvider.delete(marker, { signal: context.signal }) : undefined,
    );
  }

  /** A manifest's entries: given as such, or read (streamed, line by line) from a URI. */
  private async manifestOf(
    manifest: UriLike | AsyncIterable<ManifestEntry>,
    context: TransferContext,
  ): Promise<AsyncIterable<ManifestEntry>> {
    if (typeof manifest === 'object' && Symbol.asyncIterator in manifest) return manifest;
    const uri = this.parseUri(manifest as UriLike);
    return readManifest(await this.read(uri, { signal: context.signal }), displayUri(uri));
  }

  private resolvePair(source: UriLike, destination: UriLike): { src: StorageUri; dst: StorageUri } {
    const src = this.parseUri(source);
    let dst = this.parseUri(destination);
    if (isPrefix(src)) {
      throw new InvalidArgumentError(`${displayUri(src)} is a prefix; use copyTree to copy a tree`, {
        uri: displayUri(src),
      });
    }
    if (isPrefix(dst)) dst = joinUri(dst, baseName(src.key));
    return { src, dst };
  }

  private ends(src: StorageUri, dst: StorageUri, destinationRoot?: StorageUri) {
    return {
      source: src,
      destination: dst,
      sourceProvider: this.providerFor(src),
      destinationProvider: this.providerFor(dst),
      ...(destinationRoot ? { destinationRoot } : {}),
    };
  }

  private transferOptions(signal: AbortSignal | undefined) {
    return { ...(signal ? { signal } : {}), sink: (event: TransferEvent) => this.allEvents.next(event) };
  }

  /** Close every provider (sockets, timers). */
  async close(): Promise<void> {
    await Promise.all(this.providers.map((p) => p.close?.()));
  }
}
