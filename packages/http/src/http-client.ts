import { Agent as HttpAgent, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import { displayUri, type StorageUri } from '@stowage/core';
import got, { type Got, type PlainResponse, type Request } from 'got';
import { HttpAuthenticator } from './auth/http-authenticator.js';
import { statusError, transportError } from './http-errors.js';
import type { ResolvedHttpOptions } from './http-options.js';

/** A response whose body has not been read yet. */
export interface HttpResponse {
  /** HTTP status code of the final response (an error status only when listed in `accept`). */
  status: number;
  /** Response headers, names lower-case. */
  headers: IncomingHttpHeaders;
  /** Final URL, after redirects. */
  url: URL;
  /** Whether a redirect happened on the way. */
  redirected: boolean;
  /** The body; read it or destroy it. */
  body: Request;
}

/** One request. */
export interface SendOptions {
  /** HTTP method; only these four are used. */
  method: 'GET' | 'HEAD' | 'PUT' | 'DELETE';
  /** The operation in words, for errors (`read`, `stat`, `write`). */
  operation: string;
  /** Extra headers for this request, on top of the provider's `headers` (never credentials). */
  headers?: Record<string, string>;
  /** A buffer is replayed on retries; a stream is sent once. */
  body?: Buffer | Readable;
  /** Aborts the request, its retries and their backoff waits. */
  signal?: AbortSignal;
  /** Error statuses returned to the caller instead of thrown. */
  accept?: readonly number[];
  /** Told the cumulative request-body bytes sent so far, as they go. */
  onUploadProgress?: (bytes: number) => void;
}

/** The URI without user info, safe to print and to hand to shared helpers. */
export function publicUri(uri: StorageUri): StorageUri {
  if (uri.userInfo === undefined) return uri;
  const { userInfo: _secret, ...rest } = uri;
  return Object.freeze(rest);
}

/** The printable form of a URI: no user info, secret query parameters masked. */
export function whereOf(uri: StorageUri): string {
  return displayUri(publicUri(uri));
}

function awaitResponse(request: Request): Promise<PlainResponse> {
  return new Promise((resolve, reject) => {
    const onResponse = (response: PlainResponse) => {
      request.off('error', onError);
      resolve(response);
    };
    const onError = (error: unknown) => {
      request.off('response', onResponse);
      reject(error);
    };
    request.once('response', onResponse);
    request.once('error', onError);
  });
}

/**
 * got, configured once: no got-level retries (ours know about ranges and validators), no
 * decompression (byte ranges and digests are about the bytes as stored), keep-alive sockets, our
 * timeouts, at most `maxRedirects` redirects. Adds credentials per host and re-runs a request once
 * after a 401 with freshly asked credentials.
 */
export class HttpClient {
  private readonly got: Got;
  private readonly agents: { http: HttpAgent; https: HttpsAgent };
  /** Adds credentials per host; shared with redirects and 401 re-attempts. */
  readonly auth: HttpAuthenticator;

  constructor(
    /** Provider options with defaults filled in (see `resolveHttpOptions`). */
    readonly options: ResolvedHttpOptions,
  ) {
    this.auth = new HttpAuthenticator(options.credentials, options.sign, options.resolveContext);
    this.agents = {
      http: new HttpAgent({ keepAlive: true, maxSockets: options.maxSockets }),
      https: new HttpsAgent({ keepAlive: true, maxSockets: options.maxSockets }),
    };
    const { connectMs, responseMs, idleMs } = options.timeouts;
    this.got = got.extend({
      retry: { limit: 0 },
      throwHttpErrors: false,
      decompress: false,
      followRedirect: true,
      maxRedirects: options.maxRedirects,
      timeout: {
        lookup: connectMs,
        connect: connectMs,
        secureConnect: connectMs,
        response: responseMs,
        socket: idleMs,
      },
      agent: this.agents,
      headers: { 'user-agent': 'stowage-http', 'accept-encoding': 'identity' },
    });
  }

  /** The request URL of a URI (user info removed: it travels as a header, to its own host only). */
  urlOf(uri: StorageUri): URL {
    return new URL(
      `${uri.scheme}://${uri.bucket}/${uri.key.split('/').map(encodeURIComponent).join('/')}${uri.query === undefined ? '' : `?${uri.query}`}`,
    );
  }

  /**
   * Send a request and wait for the response headers: one attempt (retries are the retry layer's,
   * one policy for every provider), re-sent once only after a 401 with freshly asked credentials.
   * Error statuses throw their typed error (with `Retry-After` kept) unless listed in `accept`.
   */
  send(uri: StorageUri, options: SendOptions): Promise<HttpResponse> {
    const replayable = options.body === undefined || Buffer.isBuffer(options.body);
    return this.attempt(uri, options, false, replayable);
  }

  private async attempt(
    uri: StorageUri,
    options: SendOptions,
    refreshed: boolean,
    replayable: boolean,
  ): Promise<HttpResponse> {
    const url = this.urlOf(uri);
    const where = whereOf(uri);
    const { method, operation, signal } = options;
    const base = { ...this.options.headers, ...options.headers };
    const auth = await this.auth.headersFor(url, method, base, {
      refresh: refreshed,
      ...(uri.userInfo === undefined ? {} : { userInfo: uri.userInfo }),
      ...(signal ? { signal } : {}),
    });
    const request = this.got.stream(url, {
      method,
      headers: { ...base, ...auth.headers },
      ...(options.body === undefined ? {} : { body: options.body }),
      ...(signal ? { signal } : {}),
      hooks: {
        beforeRedirect: [
          async (next) => {
            const to = next.url as URL;
            for (const name of auth.names) delete next.headers[name];
            if (to.host === url.host) {
              Object.assign(next.headers, auth.headers);
              return;
            }
            const authorization = await this.auth.redirectAuthorization(url, to, uri.userInfo);
            if (authorization) next.headers.authorization = authorization;
          },
        ],
      },
    });
    // got waits for a request body on methods that may carry one; a body-less DELETE has none.
    if (options.body === undefined && method !== 'GET' && method !== 'HEAD') request.end();
    // Errors reach the caller through awaitResponse or the body's iteration; this keeps a late
    // socket error from becoming an unhandled 'error' event.
    request.on('error', () => undefined);
    if (options.onUploadProgress) {
      const report = options.onUploadProgress;
      request.on('uploadProgress', (p: { transferred: number }) => report(p.transferred));
    }
    let response: PlainResponse;
    try {
      response = await awaitResponse(request);
    } catch (error) {
      request.destroy();
      throw transportError(error, operation, where, signal);
    }
    const status = response.statusCode;
    if (status === 401 && !refreshed && replayable && this.auth.canRefresh) {
      request.destroy();
      return this.attempt(uri, options, true, replayable);
    }
    if (status >= 400 && !options.accept?.includes(status)) {
      request.destroy();
      throw statusError(status, response.headers, {
        operation,
        where,
        method,
        authenticated: auth.names.length > 0,
      });
    }
    return {
      status,
      headers: response.headers,
      url: new URL(response.url),
      redirected: response.redirectUrls.length > 0,
      body: request,
    };
  }

  /** Drop pooled sockets. */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
