import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { ChecksumMismatchError, PreconditionFailedError } from '../errors/error-types.js';
import { type RetryNotice, type RetryOptions, retrying } from '../layers/retry.js';
import type { CallNotice } from '../provider/call-options.js';
import type { ObjectStat, Provider, UploadedPart, UploadHandle } from '../provider/provider.js';
import { displayUri, type StorageUri } from '../uri/storage-uri.js';
import { planParts } from './part-plan.js';
import type { ProgressMeter } from './progress-meter.js';
import { dropState, loadJournal, ResumeJournal } from './resume-state.js';
import { resumingRead } from './resuming-read.js';
import { readPinFor } from './source-validator.js';
import { runParts } from './worker-pool.js';

/** What an interrupted multipart upload was uploading; its journal then lists the finished parts. */
interface UploadHeader {
  version: 2;
  source: string;
  destination: string;
  sourceEtag?: string;
  size: number;
  partSize: number;
  uploadId: string;
}

/** Inputs of {@link multipartUpload}. */
export interface MultipartUploadInput {
  /** The object to copy. */
  source: StorageUri;
  /** The source's provider; it must honour `range`. */
  sourceProvider: Provider;
  /** The source's stat: the size to plan parts for, the ETag reads are conditional on. */
  sourceStat: ObjectStat;
  /** The object to create. */
  destination: StorageUri;
  /** The destination's provider; it must have the multipart hooks. */
  destinationProvider: Provider;
  /** Bytes per part (the caller keeps it within the backend's limits). */
  partSize: number;
  /** Parts in flight at once (at least 1). */
  concurrency: number;
  /** Save the upload id and finished parts, and continue a saved upload of the same source. */
  resume: boolean;
  /** On failure keep the upload and its state for a rerun, instead of aborting it. */
  keepPartialOnFailure: boolean;
  /** Where resume state lives. Default {@link defaultStateDir}. */
  stateDir?: string;
  /** MIME type of the new object. */
  contentType?: string;
  /** User metadata of the new object. */
  metadata?: Record<string, string>;
  /** Aborts every part; the upload is aborted on the server and this rejects with `AbortedError`. */
  signal: AbortSignal;
  /** Told the bytes sent (and, after a failed attempt, the bytes taken back). */
  meter: ProgressMeter;
  /** Retry policy of each part. */
  retry?: RetryOptions;
  /** Told before each part retry. */
  onRetry: (notice: RetryNotice) => void;
  /** Told about things that did not stop the upload (`resume-discarded`). */
  onWarning: (code: string, message: string) => void;
  /** Passed to every provider call, for their retries and recoveries. */
  notify?: (notice: CallNotice) => void;
}

/**
 * The default directory for upload state: `$XDG_CACHE_HOME/stowage/uploads`, or `~/.cache/…` when
 * the variable is unset, empty or relative (the XDG spec says to ignore such values).
 */
export function defaultStateDir(env: Record<string, string | undefined> = process.env): string {
  const cache = env.XDG_CACHE_HOME;
  return join(cache && isAbsolute(cache) ? cache : join(homedir(), '.cache'), 'stowage', 'uploads');
}

/** The state file of the upload of `source` to `destination`. */
export function uploadStatePath(stateDir: string, source: StorageUri, destination: StorageUri): string {
  const id = createHash('sha256')
    .update(`${displayUri(source)}\n${displayUri(destination)}`)
    .digest('hex')
    .slice(0, 32);
  return join(stateDir, `${id}.json`);
}

/**
 * Upload in parts read by range from the source, `concurrency` at a time (memory: concurrency
 * streams, not concurrency × part size). Each part is retried on its own by re-reading its range.
 * Upload id and finished parts are saved, so a rerun after a crash continues the upload; a
 * failure or cancel aborts it so no parts linger (and are billed) on the server.
 */
export async function multipartUpload(input: MultipartUploadInput): Promise<{
  /** Bytes uploaded (the source's size). */
  bytes: number;
  /** ETag of the new object, when the backend gave one. */
  etag?: string;
  /** Version id of the new object, on versioned stores. */
  versionId?: string;
  /** `size` when the backend reported the object's size and it matched; else empty. */
  verified: string[];
  /** The upload of an earlier run was continued. */
  resumed: boolean;
}> {
  const {
    sourceProvider: sp,
    destinationProvider: dp,
    source,
    destination,
    sourceStat,
    signal,
    meter,
  } = input;
  const size = sourceStat.size;
  const where = displayUri(destination);
  const stateDir = input.stateDir ?? defaultStateDir();
  const statePath = uploadStatePath(stateDir, source, destination);
  if (input.resume) await mkdir(stateDir, { recursive: true, mode: 0o700 });

  let handle: UploadHandle | undefined;
  let header: UploadHeader | undefined;
  let parts: UploadedPart[] = [];
  if (input.resume) {
    const saved = await loadJournal<UploadHeader, UploadedPart>(statePath);
    const was = saved?.header;
    if (
      was &&
      was.version === 2 &&
      was.size === size &&
      was.partSize === input.partSize &&
      was.sourceEtag !== undefined &&
      was.sourceEtag === sourceStat.etag
    ) {
      handle = { uri: destination, uploadId: was.uploadId };
      // A part may be on record twice (re-sent after a crash): the last record wins.
      let confirmed = [...new Map(saved.records.map((p) => [p.partNumber, p])).values()];
      if (dp.listParts) {
        try {
          const onServer = new Map(
            (await dp.listParts(handle, { signal, ...(input.notify ? { notify: input.notify } : {}) })).map(
              (p) => [p.partNumber, p.etag],
            ),
          );
          confirmed = confirmed.filter((p) => onServer.get(p.partNumber) === p.etag);
        } catch {
          handle = undefined; // the upload is gone (completed, aborted or expired): start over
        }
      }
      if (handle) {
        header = was;
        parts = confirmed;
      }
    } else if (saved) {
      input.onWarning(
        'resume-discarded',
        `Saved upload state for ${where} does not match the source any more; starting over`,
      );
      const uploadId = was?.uploadId;
      if (uploadId !== undefined)
        await dp.abortUpload?.({ uri: destination, uploadId }).catch(() => undefined);
      await dropState(statePath);
    }
  }
  if (!handle || !header) {
    handle = await dp.beginUpload!(destination, {
      signal,
      ...(input.notify ? { notify: input.notify } : {}),
      ...(input.contentType === undefined ? {} : { contentType: input.contentType }),
      ...(input.metadata === undefined ? {} : { metadata: input.metadata }),
    });
    header = {
      version: 2,
      source: displayUri(source),
      destination: where,
      size,
      partSize: input.partSize,
      uploadId: handle.uploadId,
      ...(sourceStat.etag === undefined ? {} : { sourceEtag: sourceStat.etag }),
    };
    parts = [];
  }
  const activeHandle = handle;
  const resumedUpload = parts.length > 0;
  const finished = parts;
  let journal: ResumeJournal<UploadedPart> | undefined;
  let ok = false;
  let sourceChanged = false;
  try {
    if (input.resume) journal = await ResumeJournal.begin(statePath, header, finished);
    const done = new Set(finished.map((p) => p.partNumber));
    const plan = planParts(size, input.partSize);
    for (const part of plan) if (done.has(part.number)) meter.addKept(part.end - part.start + 1);
    const todo = plan.filter((p) => !done.has(p.number));

    await runParts(todo, input.concurrency, signal, `upload to ${where}`, (part, partSignal) =>
      retrying(
        'upload-part',
        async () => {
          let counted = 0;
          let body: Readable | undefined;
          const counter = new Transform({
            transform(chunk: Buffer, _e, cb) {
              counted += chunk.length;
              meter.add(chunk.length);
              cb(null, chunk);
            },
          });
          try {
            // The source continues after a dropped body (pinned); a retry here re-sends the part.
            const pin = readPinFor(sp, sourceStat);
            body = Readable.from(
              resumingRead(sp, source, {
                range: { start: part.start, end: part.end },
                signal: partSignal,
                onRetry: input.onRetry,
                ...(pin ? { pin } : {}),
                ...(input.notify ? { notify: input.notify } : {}),
                ...(input.retry ? { retry: input.retry } : {}),
              }),
            );
            // After a cancel the upload request is already aborted; passing the abort error
            // downstream would only reach SDK-internal streams nobody listens to any more.
            body.on('error', (e) => (partSignal.aborted ? counter.destroy() : counter.destroy(e)));
            // The upload call reports the failure; after a cancel nobody may still read
            // `counter`, and an unheard 'error' event would crash the process.
            counter.on('error', () => undefined);
            const result = await dp.uploadPart!(activeHandle, part.number, body.pipe(counter), {
              contentLength: part.end - part.start + 1,
              signal: partSignal,
              ...(input.notify ? { notify: input.notify } : {}),
            });
            finished.push(result);
            journal?.append(result);
          } catch (error) {
            // A part is sent whole or not at all: what this attempt sent is sent again.
            meter.add(-counted);
            throw error;
          } finally {
            // A request that broke off stopped reading its body, and when the copy goes on no
            // cancel ends that read: the source file would stay open until garbage collection.
            body?.destroy();
          }
        },
        { ...input.retry, signal: partSignal, uri: destination, onRetry: input.onRetry },
      ),
    );
    const ordered = [...finished].sort((a, b) => a.partNumber - b.partNumber);
    const result = await dp.completeUpload!(activeHandle, ordered, {
      signal,
      ...(input.notify ? { notify: input.notify } : {}),
    });
    const verified: string[] = [];
    if (result.size !== undefined && result.size !== size && result.size > 0) {
      throw new ChecksumMismatchError(`Upload to ${where} produced ${result.size} bytes, expected ${size}`, {
        uri: where,
      });
    }
    if (result.size === size) verified.push('size');
    ok = true;
    return {
      resumed: resumedUpload,
      bytes: size,
      verified,
      ...(result.etag === undefined ? {} : { etag: result.etag }),
      ...(result.versionId === undefined ? {} : { versionId: result.versionId }),
    };
  } catch (error) {
    // Parts of a replaced source can never be completed into one version: nothing to resume.
    if (error instanceof PreconditionFailedError) sourceChanged = true;
    throw error;
  } finally {
    await journal?.close();
    if (ok) await dropState(statePath);
    else if (input.keepPartialOnFailure && input.resume && !sourceChanged) {
      // Kept for a rerun: the journal already names every finished part.
    } else {
      // A fresh signal: the caller's may be the reason we are here, and the abort must still go out.
      await dp.abortUpload?.(activeHandle, { signal: AbortSignal.timeout(30_000) }).catch(() => undefined);
      await dropState(statePath);
    }
  }
}
