import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { isStowageError } from '../errors/stowage-error.js';
import { verifyChecksums } from '../integrity/verify.js';
import { type RetryNotice, retriesSpent, retrying } from '../layers/retry.js';
import { assertDirectoryWithin } from '../local/confined-path.js';
import { toFsError } from '../local/fs-error.js';
import type { CallNotice } from '../provider/call-options.js';
import type { Checksums, ObjectStat } from '../provider/provider.js';
import { displayUri, toLocalPath } from '../uri/storage-uri.js';
import type { CopyEnds } from './copy-ends.js';
import { type CopyOptions, DEFAULT_MULTIPART_THRESHOLD } from './copy-options.js';
import { expectedChecksums } from './expected-checksums.js';
import { multipartUpload } from './multipart-upload.js';
import { choosePartSize, DEFAULT_PART_SIZE } from './part-size.js';
import type { ProgressMeter } from './progress-meter.js';
import { rangedDownload } from './ranged-download.js';
import { RangesIgnoredError, resumingRead } from './resuming-read.js';
import { readPinFor } from './source-validator.js';
import type { TransferContext } from './transfer.js';
import type { TransferStrategy } from './transfer-events.js';

/** The cheapest safe way to move one object between these ends. */
export function chooseStrategy(ends: CopyEnds, stat: ObjectStat, options: CopyOptions): TransferStrategy {
  const { sourceProvider: sp, destinationProvider: dp } = ends;
  if (options.forceStream) return 'stream';
  if (sp === dp && sp.capabilities.serverSideCopy && sp.copy) return 'server-side-copy';
  const threshold = options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD;
  if (stat.size < threshold || !sp.capabilities.rangeRead || stat.acceptsRanges === false) return 'stream';
  // Parts read at different times must all be of one version; without a pin, one stream.
  if (readPinFor(sp, stat) === undefined) return 'stream';
  if (ends.destination.scheme === 'file') return 'ranged-download';
  if (dp.capabilities.multipart && dp.beginUpload && dp.uploadPart && dp.completeUpload)
    return 'multipart-upload';
  return 'stream';
}

/** What one run of a strategy needs beyond the ends. */
export interface StrategyRun {
  /** The source's stat this run is pinned to. */
  stat: ObjectStat;
  /** The copy's options. */
  options: CopyOptions;
  /** The transfer's context (signal, events). */
  context: TransferContext;
  /** Counts the bytes moved (the progress events, and the download cap's accounting). */
  meter: ProgressMeter;
  /** Told before each retry. */
  onRetry: (notice: RetryNotice) => void;
  /** Told about things that did not stop the copy. */
  onWarning: (code: string, message: string) => void;
  /** Passed to every provider call: their retries and recoveries become the copy's events. */
  notify: (notice: CallNotice) => void;
  /** Keep partial files / upload state after a failure so a rerun resumes. */
  keepPartial: boolean;
}

/** What one run of a strategy did. */
export interface StrategyOutcome {
  /** Bytes copied. */
  bytes: number;
  /** What was verified (`size`, then the digests compared). */
  verified: string[];
  /** SHA-256 (base64) of the bytes written, when computed. */
  sha256?: string;
  /** A partial left by an earlier run was continued. */
  resumed?: boolean;
  /** The strategy that moved the bytes, when it was not the one planned (ranges ignored: a stream). */
  strategy?: TransferStrategy;
}

/** Move the bytes one way: server-side copy, ranged download, multipart upload or one stream. */
export async function runStrategy(
  strategy: TransferStrategy,
  ends: CopyEnds,
  run: StrategyRun,
): Promise<StrategyOutcome> {
  const { source, destination, sourceProvider: sp, destinationProvider: dp } = ends;
  const { stat, options, meter, onRetry, onWarning, notify } = run;
  const { signal } = run.context;
  const dst = displayUri(destination);
  const expected = expectedChecksums(
    options.checksum,
    options.verifySourceDigest === false ? undefined : stat.checksums,
  );
  const concurrency = options.concurrency ?? 4;
  const resume = options.resume ?? true;
  const keepPartialOnFailure = run.keepPartial;
  let bytes = stat.size;
  let verified: string[] = [];
  let sha256: string | undefined;
  let resumed = false;
  let used = strategy;
  switch (strategy) {
    case 'server-side-copy': {
      const result = await retrying(
        'copy',
        () =>
          sp.copy!(source, destination, {
            signal,
            notify,
            ...(stat.etag === undefined ? {} : { ifMatch: stat.etag }),
            ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
            ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
            ...(ends.destinationRoot ? { within: ends.destinationRoot } : {}),
          }),
        { ...options.retry, signal, uri: source, onRetry },
      );
      meter.add(result.size);
      if (result.size === stat.size) verified.push('size');
      bytes = result.size;
      break;
    }
    case 'ranged-download': {
      const destinationPath = toLocalPath(destination);
      // The download's own file calls fail with errno errors: type them as the fs provider does.
      const typed = async (error: unknown): Promise<never> => {
        throw await toFsError(error, { uri: dst, path: destinationPath, writing: true });
      };
      if (ends.destinationRoot)
        await assertDirectoryWithin(dirname(destinationPath), toLocalPath(ends.destinationRoot), dst).catch(
          typed,
        );
      const result = await rangedDownload({
        provider: sp,
        source,
        sourceStat: stat,
        destinationPath,
        // Ranges have no part limits: the asked size as it is. Lanes stream many parts per request,
        // so the size sets only how finely lanes share work and the journal records progress.
        partSize: options.partSize ?? downloadPartSize(stat.size),
        concurrency: options.concurrency ?? DEFAULT_DOWNLOAD_LANES,
        ...(expected === undefined ? {} : { expected }),
        resume,
        keepPartialOnFailure,
        ...(options.durable ? { durable: true } : {}),
        signal,
        meter,
        ...(options.retry === undefined ? {} : { retry: options.retry }),
        onRetry,
        onWarning,
        notify,
      }).catch(async (error: unknown) => {
        if (!(error instanceof RangesIgnoredError)) return typed(error);
        onWarning('ranges-ignored', `${error.message}: reading it in one stream instead of in parts`);
        meter.add(-meter.total);
        used = 'stream';
        return {
          ...(await streamCopy(ends, stat, options, expected, run.context, meter, onRetry, notify)),
          resumed: false,
        };
      });
      verified = result.verified;
      sha256 = result.sha256;
      resumed = result.resumed;
      break;
    }
    case 'multipart-upload': {
      const { partSize, adjusted } = choosePartSize(
        stat.size,
        options.partSize ?? DEFAULT_PART_SIZE,
        dp.capabilities.limits,
        dst,
      );
      if (adjusted) onWarning('part-size-adjusted', adjusted);
      const result = await multipartUpload({
        source,
        sourceProvider: sp,
        sourceStat: stat,
        destination,
        destinationProvider: dp,
        partSize,
        concurrency,
        resume,
        keepPartialOnFailure,
        ...(options.stateDir === undefined ? {} : { stateDir: options.stateDir }),
        ...((options.contentType ?? stat.contentType)
          ? { contentType: options.contentType ?? stat.contentType }
          : {}),
        ...((options.metadata ?? stat.metadata) ? { metadata: options.metadata ?? stat.metadata } : {}),
        signal,
        meter,
        ...(options.retry === undefined ? {} : { retry: options.retry }),
        onRetry,
        onWarning,
        notify,
      });
      verified = result.verified;
      resumed = result.resumed;
      break;
    }
    default: {
      const result = await streamCopy(ends, stat, options, expected, run.context, meter, onRetry, notify);
      verified = result.verified;
      sha256 = result.sha256;
      bytes = result.bytes;
    }
  }
  return {
    bytes,
    verified,
    ...(sha256 === undefined ? {} : { sha256 }),
    ...(resumed ? { resumed } : {}),
    ...(used === strategy ? {} : { strategy: used }),
  };
}

async function streamCopy(
  ends: CopyEnds,
  stat: ObjectStat,
  options: CopyOptions,
  expected: Checksums | undefined,
  context: TransferContext,
  meter: ProgressMeter,
  onRetry: (n: RetryNotice) => void,
  notify: (notice: CallNotice) => void,
): Promise<{ bytes: number; verified: string[]; sha256?: string }> {
  const { source, destination, sourceProvider: sp, destinationProvider: dp } = ends;
  const { signal } = context;
  const policy = options.overwrite ?? 'always';
  // The destination write is atomic, so a failed attempt leaves nothing and the whole stream can be redone.
  return retrying(
    'stream-copy',
    async () => {
      let counted = 0;
      let body: Readable | undefined;
      try {
        // The source continues after a dropped body (pinned); a retry here redoes the write.
        const pin = readPinFor(sp, stat);
        body = Readable.from(
          resumingRead(sp, source, {
            signal,
            notify,
            onRetry,
            ...(pin ? { pin } : {}),
            ...(options.retry ? { retry: options.retry } : {}),
          }),
        );
        const result = await dp.write(destination, body, {
          contentLength: stat.size,
          signal,
          notify,
          onProgress: (done) => {
            meter.add(done - counted);
            counted = done;
          },
          ...(expected === undefined ? {} : { checksum: expected }),
          ...(policy === 'never' && dp.capabilities.conditionalWrite ? { ifNoneMatch: '*' as const } : {}),
          ...(options.durable ? { durable: true } : {}),
          ...((options.contentType ?? stat.contentType)
            ? { contentType: options.contentType ?? stat.contentType }
            : {}),
          ...((options.metadata ?? stat.metadata) ? { metadata: options.metadata ?? stat.metadata } : {}),
          ...(ends.destinationRoot ? { within: ends.destinationRoot } : {}),
        });
        if (counted < result.size) meter.add(result.size - counted);
        const verified = ['size'];
        if (expected && result.checksums) {
          try {
            verified.push(...verifyChecksums(expected, result.checksums, displayUri(destination)));
          } catch (mismatch) {
            // The destination could not check the digest itself; don't leave bad data behind.
            await dp.delete(destination).catch(() => undefined);
            throw mismatch;
          }
        }
        return {
          bytes: result.size,
          verified,
          ...(result.checksums?.sha256 ? { sha256: result.checksums.sha256 } : {}),
        };
      } catch (error) {
        meter.add(-counted);
        throw error;
      } finally {
        // A write that broke off may only have unpiped its body; when the copy is redone, no
        // cancel ends that read, and the source would stay open until garbage collection.
        body?.destroy();
      }
    },
    {
      ...options.retry,
      signal,
      uri: source,
      onRetry,
      // Bytes that failed their digest were most likely damaged in transit: read them again (a
      // digest that is simply wrong fails again, after the policy's attempts).
      shouldRetry: (error) =>
        options.retry?.shouldRetry?.(error) ??
        (isStowageError(error) &&
          (error.retryable || error.code === 'ChecksumMismatch') &&
          error.code !== 'Aborted' &&
          !retriesSpent(error)),
    },
  );
}

/**
 * Connections an adaptive download may grow to unless the caller sets `concurrency`. Lanes are
 * added only while they raise throughput, so a high cap costs nothing where one stream is best.
 */
const DEFAULT_DOWNLOAD_LANES = 8;

/**
 * Download parts when the caller chose none: about 128 per object, 1 to 8 MiB. A lane streams
 * many parts per request, so parts cost no requests; finer parts let lanes share the tail evenly
 * (the last seconds of a download on a capped link) at the price of a longer resume journal.
 */
function downloadPartSize(size: number): number {
  const MiB = 1024 * 1024;
  return Math.min(DEFAULT_PART_SIZE, Math.max(MiB, Math.ceil(size / 128 / MiB) * MiB));
}
