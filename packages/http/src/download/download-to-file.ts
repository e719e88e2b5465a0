import { createReadStream } from 'node:fs';
import { type FileHandle, mkdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  ChecksumMismatchError,
  type Checksums,
  type ObjectStat,
  openPartial,
  partialPaths,
  runPool,
  type StorageUri,
  tempPathFor,
  throwIfAborted,
  verifyChecksums,
  verifySize,
} from '@stowage/core';
import { refuseHtmlPage } from '../html-guard.js';
import { type HttpClient, whereOf } from '../http-client.js';
import { ResourceChangedError } from '../http-errors.js';
import { ChecksumHasher } from '../integrity/checksum-hasher.js';
import type { SidecarAlgorithm } from '../integrity/sidecar.js';
import { RangeIgnoredError, resumableBody } from '../resumable-body.js';
import {
  type DownloadState,
  dropDownloadState,
  loadDownloadState,
  saveDownloadState,
} from './download-state.js';
import { OffsetWriter } from './offset-writer.js';
import { planSegments } from './segment-plan.js';

/** Options of `HttpProvider.downloadToFile`. */
export interface DownloadOptions {
  /** Bytes per ranged request. Default: the provider's `segmentSize` (8 MiB). */
  segmentSize?: number;
  /** Segments in flight at once (each buffers up to about 1 MiB). Default: the provider's (4). */
  concurrency?: number;
  /** Aborts the download; the partial file is removed unless `resume` is set. */
  signal?: AbortSignal;
  /** Bytes written so far and the total when known; called often, throttle in the callback if needed. */
  onProgress?: (bytesDone: number, total: number | undefined) => void;
  /**
   * Keep the partial file and its state beside the destination when the download fails or is
   * aborted, and pick them up next time, if the resource is unchanged (same ETag/Last-Modified).
   */
  resume?: boolean;
  /** Digests the file must have, on top of those the server announces. */
  checksum?: Checksums;
  /** Also fetch `<url>.sha256` / `<url>.md5` and check against it; `auto` uses whichever exists. */
  sidecar?: SidecarAlgorithm | 'auto';
  /** The content type expected (an HTML answer is refused unless this is HTML). */
  expectedContentType?: string;
  /** Start over this many times when the resource changes mid-download. Default 2. */
  maxRestarts?: number;
}

/** What `downloadToFile` did. */
export interface DownloadResult {
  /** Absolute path of the downloaded file. */
  path: string;
  /** Bytes written to the file. */
  size: number;
  /** Digests computed (the ones compared, or none when there was nothing to compare against). */
  checksums: Checksums;
  /** Names of the digests verified (`sha256`, `md5Hex`, …); empty when the server gave none. */
  verified: string[];
  /** `segmented` (parallel ranges) or `single` (one stream: small file, or no range support). */
  mode: 'segmented' | 'single';
  /** Times the download started over because the resource changed. */
  restarts: number;
  /** Whether a partial download was picked up. */
  resumed: boolean;
}

/** What the downloader needs from the provider. */
export interface DownloadContext {
  /** Client that sends the ranged requests. */
  client: HttpClient;
  /** The provider's `stat`, for size, validator and announced digests. */
  stat(uri: StorageUri, signal: AbortSignal | undefined): Promise<ObjectStat>;
  /** The provider's sidecar lookup (`<url>.sha256` / `<url>.md5`). */
  sidecar(
    uri: StorageUri,
    algorithm: SidecarAlgorithm | 'auto',
    signal: AbortSignal | undefined,
  ): Promise<Checksums>;
  /** Refuse an HTML answer where a file was expected. */
  refuseHtml: boolean;
  /** Default bytes per segment when the options give none. */
  segmentSize: number;
  /** Default segments in flight when the options give none. */
  concurrency: number;
}

function validatorOf(stat: ObjectStat): string | undefined {
  if (stat.etag !== undefined && !stat.etag.startsWith('W/')) return stat.etag;
  return stat.lastModified?.toUTCString();
}

/**
 * Download to a local file: parallel ranged requests each written at its offset into a temp file
 * beside the destination (one stream when the server has no ranges or the file is small), every
 * request pinned to one version with `If-Range`; then size and digest checks, then an atomic rename.
 * A resource that changes mid-way restarts the download (bounded) instead of splicing versions;
 * a digest mismatch keeps nothing.
 */
export async function downloadToFile(
  context: DownloadContext,
  uri: StorageUri,
  destination: string,
  options: DownloadOptions = {},
): Promise<DownloadResult> {
  const path = resolve(destination);
  const where = whereOf(uri);
  const { signal } = options;
  await mkdir(dirname(path), { recursive: true });
  const sidecar = options.sidecar ? await context.sidecar(uri, options.sidecar, signal) : {};
  const maxRestarts = options.maxRestarts ?? 2;
  for (let restarts = 0; ; restarts++) {
    throwIfAborted(signal, `download of ${where}`);
    const info = await context.stat(uri, signal);
    if (context.refuseHtml) refuseHtmlPage(where, uri.key, info.contentType, options.expectedContentType);
    const expected: Checksums = { ...info.checksums, ...sidecar, ...options.checksum };
    try {
      const result = await attempt(context, uri, path, info, expected, options);
      return { ...result, restarts };
    } catch (error) {
      if (error instanceof ResourceChangedError && restarts < maxRestarts) continue;
      throw error;
    }
  }
}

async function attempt(
  context: DownloadContext,
  uri: StorageUri,
  path: string,
  info: ObjectStat,
  expected: Checksums,
  options: DownloadOptions,
): Promise<Omit<DownloadResult, 'restarts'>> {
  const where = whereOf(uri);
  const { signal } = options;
  const size = info.size;
  const segmentSize = options.segmentSize ?? context.segmentSize;
  const concurrency = options.concurrency ?? context.concurrency;
  const validator = validatorOf(info);
  const segmented = info.acceptsRanges === true && validator !== undefined && size > segmentSize;
  const paths = options.resume ? partialPaths(path) : { partial: tempPathFor(path), state: undefined };

  let saved: DownloadState | undefined;
  if (paths.state !== undefined && validator !== undefined && segmented) {
    const candidate = await loadDownloadState(paths.state);
    const partialSize = await stat(paths.partial).then(
      (s) => s.size,
      () => -1,
    );
    if (
      candidate &&
      candidate.source === where &&
      candidate.size === size &&
      candidate.validator === validator &&
      candidate.segmentSize === segmentSize &&
      partialSize === size
    ) {
      saved = candidate;
    }
  }
  // Never through a planted link, and with the mode of the file it replaces (the engine's rule).
  const handle = await openPartial(paths.partial, path, saved !== undefined);
  const state: DownloadState = saved ?? {
    version: 1,
    source: where,
    size,
    validator: validator ?? '',
    segmentSize,
    done: [],
  };
  let saving: Promise<void> = Promise.resolve();
  const persist = () => {
    if (paths.state === undefined) return;
    const snapshot = { ...state, done: [...state.done] };
    const file = paths.state;
    saving = saving.then(() => saveDownloadState(file, snapshot)).catch(() => undefined);
  };
  let bytesDone = 0;
  const progress = (n: number) => {
    bytesDone += n;
    options.onProgress?.(bytesDone, size >= 0 ? size : undefined);
  };

  try {
    let mode: 'segmented' | 'single' = segmented ? 'segmented' : 'single';
    let inline: ChecksumHasher | undefined;
    let written: number;
    if (segmented) {
      try {
        if (!saved) await handle.truncate(size);
        written = await runSegments(
          context,
          uri,
          handle,
          state,
          validator!,
          concurrency,
          progress,
          persist,
          signal,
        );
      } catch (error) {
        if (!(error instanceof RangeIgnoredError)) throw error;
        // The server advertised ranges but sent whole bodies: one stream is the honest way.
        mode = 'single';
        state.done = [];
        bytesDone = 0;
        await handle.truncate(0);
        inline = ChecksumHasher.for(expected);
        written = await runSingle(context, uri, handle, validator, inline, progress, signal);
      }
    } else {
      inline = ChecksumHasher.for(expected);
      written = await runSingle(context, uri, handle, validator, inline, progress, signal);
    }
    await saving;
    if (size >= 0) verifySize(size, written, where);
    const actualSize = (await handle.stat()).size;
    verifySize(written, actualSize, where);
    const checksums = inline ? inline.digest() : await hashFile(paths.partial, expected);
    const verified = verifyChecksums(expected, checksums, where);
    await handle.close();
    await rename(paths.partial, path);
    if (paths.state !== undefined) await dropDownloadState(paths.state);
    return { path, size: written, checksums, verified, mode, resumed: saved !== undefined };
  } catch (error) {
    await handle.close().catch(() => undefined);
    await saving;
    const keep =
      options.resume === true &&
      !(error instanceof ChecksumMismatchError) &&
      !(error instanceof ResourceChangedError) &&
      !(error instanceof RangeIgnoredError);
    if (!keep) {
      await unlink(paths.partial).catch(() => undefined);
      if (paths.state !== undefined) await dropDownloadState(paths.state);
    }
    throw error;
  }
}

async function runSegments(
  context: DownloadContext,
  uri: StorageUri,
  handle: FileHandle,
  state: DownloadState,
  validator: string,
  concurrency: number,
  progress: (n: number) => void,
  persist: () => void,
  signal: AbortSignal | undefined,
): Promise<number> {
  const segments = planSegments(state.size, state.segmentSize);
  const done = new Set(state.done);
  for (const s of segments) if (done.has(s.index)) progress(s.end - s.start + 1);
  const local = new AbortController();
  const combined = signal ? AbortSignal.any([signal, local.signal]) : local.signal;
  await runPool(
    segments.filter((s) => !done.has(s.index)),
    concurrency,
    async (segment) => {
      try {
        const writer = new OffsetWriter(handle, segment.start);
        for await (const chunk of resumableBody({
          client: context.client,
          uri,
          operation: 'download',
          start: segment.start,
          end: segment.end,
          validator,
          onIgnoredRange: 'throw',
          signal: combined,
        })) {
          await writer.write(chunk);
          progress(chunk.length);
        }
        await writer.flush();
        state.done.push(segment.index);
        persist();
      } catch (error) {
        // One failed segment fails the download: stop the others now rather than at their end.
        local.abort(error);
        throw error;
      }
    },
    combined,
  );
  throwIfAborted(signal);
  return segments.reduce((n, s) => n + (s.end - s.start + 1), 0);
}

async function runSingle(
  context: DownloadContext,
  uri: StorageUri,
  handle: FileHandle,
  validator: string | undefined,
  hasher: ChecksumHasher,
  progress: (n: number) => void,
  signal: AbortSignal | undefined,
): Promise<number> {
  const writer = new OffsetWriter(handle, 0);
  for await (const chunk of resumableBody({
    client: context.client,
    uri,
    operation: 'download',
    start: 0,
    ...(validator === undefined ? {} : { validator }),
    onIgnoredRange: 'skip',
    ...(signal ? { signal } : {}),
  })) {
    await writer.write(chunk);
    hasher.update(chunk);
    progress(chunk.length);
  }
  await writer.flush();
  return writer.position;
}

async function hashFile(path: string, expected: Checksums): Promise<Checksums> {
  const hasher = ChecksumHasher.for(expected);
  if (!hasher.active) return {};
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 }))
    hasher.update(chunk as Buffer);
  return hasher.digest();
}
