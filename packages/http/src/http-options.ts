import { type CredentialSource, InvalidArgumentError, type ResolveContext } from '@stowage/core';
import type { RequestSigner } from './auth/request-signer.js';

/** Time limits of one request; a limit that passes is a retryable `TimeoutError`. */
export interface HttpTimeouts {
  /** DNS lookup plus TCP (and TLS) connect. Default 10 s. */
  connectMs?: number;
  /** From the request being sent to the response headers. Default 30 s. */
  responseMs?: number;
  /** Longest silence on an open socket, mid-body included (a stalled download). Default 30 s. */
  idleMs?: number;
}

/** Options of {@link HttpProvider}. */
export interface HttpProviderOptions {
  /**
   * Where credentials come from (bearer, basic, `~/.netrc`, a delegated login, or a chain of them).
   * Asked per host, with `ResolveContext.host`; asked again (`forceRefresh`) once after a 401.
   */
  credentials?: CredentialSource;
  /** Signs each request (extra headers), for schemes a credential cannot express; re-run once after a 401. */
  sign?: RequestSigner;
  /** Environment and home directory the credential sources read (tests pass their own). */
  resolveContext?: Pick<ResolveContext, 'env' | 'homedir' | 'cwd' | 'profile' | 'note'>;
  /** Per-request time limits; see {@link HttpTimeouts} for each default. */
  timeouts?: HttpTimeouts;
  /** Redirects followed per request, at most 10. Default 10. */
  maxRedirects?: number;
  /** The server accepts PUT (WebDAV, upload endpoints): enables `write`. Default false. */
  allowWrite?: boolean;
  /** The server accepts DELETE: enables `delete`. Default false. */
  allowDelete?: boolean;
  /**
   * The server enforces `If-None-Match: *` on PUT (create-only writes). Default: `allowWrite`; set
   * false for a server that ignores it, so create-only writes are refused instead of overwriting.
   */
  conditionalWrite?: boolean;
  /**
   * How to list: `'autoindex-json'` reads nginx's `autoindex_format json` pages; `'none'` (default)
   * makes `list` throw `UnsupportedOperationError`, since HTML pages cannot be listed honestly.
   */
  listing?: 'autoindex-json' | 'none';
  /**
   * Refuse an HTML page where a file was expected (a key with a non-HTML extension): portals answer
   * with a login page and status 200. Default true.
   */
  refuseHtml?: boolean;
  /** Headers sent with every request (never credentials: use `credentials`, which stay on their host). */
  headers?: Record<string, string>;
  /** Sockets per host. Default 16. */
  maxSockets?: number;
  /** Default segment size of `downloadToFile` (the unit connections share and resume records). Default 8 MiB. */
  segmentSize?: number;
  /** Default most connections of `downloadToFile` (opened only while they raise throughput). Default 4. */
  concurrency?: number;
}

/** Options with every default filled in; each field is its {@link HttpProviderOptions} namesake. */
export interface ResolvedHttpOptions {
  credentials: CredentialSource | undefined;
  sign: RequestSigner | undefined;
  resolveContext: NonNullable<HttpProviderOptions['resolveContext']>;
  timeouts: Required<HttpTimeouts>;
  maxRedirects: number;
  allowWrite: boolean;
  allowDelete: boolean;
  conditionalWrite: boolean;
  listing: 'autoindex-json' | 'none';
  refuseHtml: boolean;
  headers: Record<string, string>;
  maxSockets: number;
  segmentSize: number;
  concurrency: number;
}

function positive(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < min) {
    throw new InvalidArgumentError(`HTTP option ${name} must be a number ≥ ${min} (got ${value})`);
  }
  return value;
}

/** Fill in defaults and check ranges, so a bad option fails before any request. */
export function resolveHttpOptions(options: HttpProviderOptions = {}): ResolvedHttpOptions {
  const maxRedirects = positive('maxRedirects', options.maxRedirects, 10, 0);
  if (maxRedirects > 10)
    throw new InvalidArgumentError(`HTTP option maxRedirects must be at most 10 (got ${maxRedirects})`);
  for (const name of Object.keys(options.headers ?? {})) {
    if (/^(authorization|cookie|proxy-authorization)$/i.test(name)) {
      throw new InvalidArgumentError(
        `HTTP option headers must not carry "${name}": pass credentials instead, so they stay on their host`,
      );
    }
  }
  return {
    credentials: options.credentials,
    sign: options.sign,
    resolveContext: options.resolveContext ?? {},
    timeouts: {
      connectMs: positive('timeouts.connectMs', options.timeouts?.connectMs, 10_000),
      responseMs: positive('timeouts.responseMs', options.timeouts?.responseMs, 30_000),
      idleMs: positive('timeouts.idleMs', options.timeouts?.idleMs, 30_000),
    },
    maxRedirects,
    allowWrite: options.allowWrite ?? false,
    allowDelete: options.allowDelete ?? false,
    conditionalWrite: options.conditionalWrite ?? options.allowWrite ?? false,
    listing: options.listing ?? 'none',
    refuseHtml: options.refuseHtml ?? true,
    headers: options.headers ?? {},
    maxSockets: positive('maxSockets', options.maxSockets, 16),
    segmentSize: positive('segmentSize', options.segmentSize, 8 * 1024 * 1024),
    concurrency: positive('concurrency', options.concurrency, 4),
  };
}
