import { resolve } from 'node:path';
import {
  type Checksums,
  createStorage,
  FsProvider,
  type ObjectStat,
  type Provider,
  type StatOptions,
  type Storage,
  type StorageUri,
} from '@stowage/core';
import { refuseHtmlPage } from './html-guard.js';
import { whereOf } from './http-client.js';
import type { SidecarAlgorithm } from './integrity/sidecar.js';

/** Options of `HttpProvider.downloadToFile`. */
export interface DownloadOptions {
  /**
   * Bytes per segment: the unit connections hand over to each other and the resume journal
   * records (a connection streams many segments in one request). Default: the provider's
   * `segmentSize` (8 MiB).
   */
  segmentSize?: number;
  /**
   * Connections at most. The download starts with one from the first byte and adds more for the
   * tail only while each raises throughput (a link that caps each connection). Default: the
   * provider's (4).
   */
  concurrency?: number;
  /** Aborts the download; the partial file is removed unless `resume` is set. */
  signal?: AbortSignal;
  /** Bytes written so far and the total when known (about ten times a second, and at the end). */
  onProgress?: (bytesDone: number, total: number | undefined) => void;
  /**
   * Keep the partial file and its journal beside the destination when the download fails or is
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
  /** Digests computed (SHA-256 when it was compared). */
  checksums: Checksums;
  /** Names of the digests verified (`sha256`, `md5Hex`, …); empty when the server gave none. */
  verified: string[];
  /** `segmented` (pinned ranged reads into a temp file, one or more connections) or `single` (one stream: small file, or no range support). */
  mode: 'segmented' | 'single';
  /** Times the download started over because the resource changed. */
  restarts: number;
  /** Whether a partial download was picked up. */
  resumed: boolean;
}

/** What the download needs from its provider. */
export interface DownloadSource extends Provider {
  /** The provider's `stat`. */
  stat(uri: StorageUri, options?: StatOptions): Promise<ObjectStat>;
  /** Digests published beside the resource (`<url>.sha256` / `<url>.md5`). */
  sidecar(uri: StorageUri, algorithm: SidecarAlgorithm | 'auto', signal?: AbortSignal): Promise<Checksums>;
}

/** Settings of the provider that shape a download. */
export interface DownloadDefaults {
  /** Refuse an HTML answer where a file was expected. */
  refuseHtml: boolean;
  /** Bytes per segment when the options give none. */
  segmentSize: number;
  /** Segments in flight when the options give none. */
  concurrency: number;
}

/**
 * Download to a local file through the transfer engine (the one segmented downloader: pinned
 * ranged reads into a temp file, one connection or more while they pay, resumable, verified,
 * renamed into place). What is HTTP's own is
 * done here first: the HTML-login-page guard and the sidecar digests, which join the digests the
 * engine checks.
 */
export async function downloadToFile(
  source: DownloadSource,
  defaults: DownloadDefaults,
  uri: StorageUri,
  destination: string,
  options: DownloadOptions = {},
): Promise<DownloadResult> {
  const path = resolve(destination);
  const where = whereOf(uri);
  const { signal } = options;
  const sidecar = options.sidecar ? await source.sidecar(uri, options.sidecar, signal) : {};
  // The provider's reads refuse a login page by the key's extension; a caller who named the
  // content type to expect is checked against the HEAD first.
  if (defaults.refuseHtml && options.expectedContentType !== undefined) {
    const stat = await source.stat(uri, signal ? { signal } : {});
    refuseHtmlPage(where, uri.key, stat.contentType, options.expectedContentType);
  }
  const segmentSize = options.segmentSize ?? defaults.segmentSize;
  // A Storage of its own for this one copy; never closed, since closing would close `source`.
  const storage: Storage = createStorage({ providers: [source, new FsProvider()] });
  {
    const transfer = storage.copy(uri, path, {
      partSize: segmentSize,
      multipartThreshold: segmentSize + 1,
      concurrency: options.concurrency ?? defaults.concurrency,
      restartOnChange: options.maxRestarts ?? 2,
      keepPartial: options.resume ?? false,
      resume: options.resume ?? false,
      ...(signal ? { signal } : {}),
      ...(Object.keys({ ...sidecar, ...options.checksum }).length > 0
        ? { checksum: { ...sidecar, ...options.checksum } }
        : {}),
    });
    const report = options.onProgress;
    if (report) {
      transfer.events$.subscribe((event) => {
        if (event.type === 'progress') report(event.bytes, event.totalBytes);
      });
    }
    const result = await transfer;
    return {
      path,
      size: result.bytes,
      checksums: result.sha256 === undefined ? {} : { sha256: result.sha256 },
      verified: result.verified.filter((name) => name !== 'size'),
      mode: result.strategy === 'ranged-download' ? 'segmented' : 'single',
      restarts: result.restarts ?? 0,
      resumed: result.resumed ?? false,
    };
  }
}
