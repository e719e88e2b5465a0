import {
  AuthenticationRequiredError,
  InvalidConfigError,
  NotFoundError,
  PermissionDeniedError,
  redactSecrets,
  type StowageError,
  TimeoutError,
  TransientError,
  toAbortedError,
} from '@stowage/core';
import got, { type Got, RequestError } from 'got';

/** Network behaviour of calls to the catalog and its registry. */
export interface RegistryHttpOptions {
  /** Whole-request timeout. quilt3 has none; a hung registry must not hang a batch job. Default 15 s. */
  timeoutMs?: number;
  /**
   * Retries of idempotent GETs on network errors, 429 and 5xx. Default 2. A POST is never re-sent
   * here: a token exchange presents a refresh token the registry rotates, and the login is re-read
   * (under the login lock) before any later exchange instead.
   */
  retries?: number;
  /** User-Agent sent with every call. Default `stowage-catalog (node <version>)`. */
  userAgent?: string;
}

/** One call: where it goes and what to say about it when it fails. */
export interface RegistryCall {
  /** HTTP method; only GETs are retried. */
  method: 'GET' | 'POST';
  /** Full URL of the endpoint (query allowed; it is left out of errors). */
  url: string;
  /** The catalog URL the user configured; every error names it. */
  catalogUrl: string;
  /** What the call is for, in words (`token exchange`, `S3 credentials`). */
  what: string;
  /** Extra request headers (e.g. `authorization`). */
  headers?: Record<string, string>;
  /** Form-encoded body (`application/x-www-form-urlencoded`). */
  form?: Record<string, string>;
  /** Aborts the call and its retries. */
  signal?: AbortSignal;
  /** The hint of a 404, when "the registry has no such endpoint" is not the likely cause. */
  notFoundHint?: string;
}

/** A raw answer, whatever its status. */
export interface RegistryAnswer {
  /** HTTP status code. */
  status: number;
  /** `Content-Type` header, `''` when absent. */
  contentType: string;
  /** Body as text (may hold secrets: never print it whole). */
  body: string;
  /** The URL that answered, without query. */
  url: string;
}

/** Error hint for failures only a new login can fix. */
const RELOGIN = 'Run login() (or `stowage catalog login`) again.';

function endpoint(url: string): string {
  return url.split('?')[0]!;
}

/**
 * The HTTP client for catalog and registry calls (got): timeouts, bounded retries of GETs, and errors
 * mapped to typed Stowage errors that name the catalog and give a hint. The original got error is
 * never attached as `cause`, because it carries the request headers and so the bearer token.
 */
export class RegistryHttp {
  /** The whole-request timeout, in milliseconds (bounds how long a login lock is held). */
  readonly timeoutMs: number;
  private readonly client: Got;

  constructor(options: RegistryHttpOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.client = got.extend({
      timeout: { request: this.timeoutMs },
      retry: {
        limit: options.retries ?? 2,
        methods: ['GET'],
        statusCodes: [408, 429, 500, 502, 503, 504],
        backoffLimit: 2_000,
      },
      headers: {
        'user-agent': options.userAgent ?? `stowage-catalog (node ${process.version})`,
        accept: 'application/json',
      },
      followRedirect: true,
      throwHttpErrors: false,
      responseType: 'text',
    });
  }

  /** Send a call and return its answer whatever the status; network failures become typed errors. */
  async send(call: RegistryCall): Promise<RegistryAnswer> {
    try {
      const response = await this.client(call.url, {
        method: call.method,
        ...(call.headers ? { headers: call.headers } : {}),
        ...(call.form ? { form: call.form } : {}),
        ...(call.signal ? { signal: call.signal } : {}),
      });
      return {
        status: response.statusCode,
        contentType: String(response.headers['content-type'] ?? ''),
        body: response.body,
        url: endpoint(response.url),
      };
    } catch (error) {
      // The caller's own cancellation is not a network failure (and is never retried).
      if (call.signal?.aborted)
        throw toAbortedError(call.signal.reason, `${call.what} at ${call.catalogUrl}`);
      throw networkError(call, error);
    }
  }
}

function networkError(call: RegistryCall, error: unknown): StowageError {
  const code = error instanceof RequestError ? error.code : (error as NodeJS.ErrnoException).code;
  const detail = redactSecrets(code ?? (error as Error).message ?? 'unknown error');
  const where = endpoint(call.url);
  const message = `Cannot reach the catalog ${call.catalogUrl} for ${call.what} (${where}): ${detail}`;
  const options = {
    uri: call.catalogUrl,
    provider: 'catalog',
    hint: 'Check the catalog URL, that the stack is up, and your network or proxy settings.',
    cause: new Error(detail),
  };
  if (code === 'ETIMEDOUT' || (error as Error).name === 'TimeoutError')
    return new TimeoutError(message, options);
  return new TransientError(message, options);
}

function looksLikeHtml(answer: RegistryAnswer): boolean {
  return /html/i.test(answer.contentType) || /^\s*</.test(answer.body);
}

/** The server's own `message` (or `error`), redacted and shortened; never the body itself. */
export function serverMessage(answer: RegistryAnswer): string | undefined {
  if (looksLikeHtml(answer)) return undefined;
  try {
    const parsed = JSON.parse(answer.body) as { message?: unknown; error?: unknown };
    const text = typeof parsed.message === 'string' ? parsed.message : parsed.error;
    return typeof text === 'string' ? redactSecrets(text).slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parse a 2xx answer as a JSON object. HTML (a login page or a proxy's error page), text that is not
 * JSON, or JSON that is not an object is an `InvalidConfigError` naming the catalog and the URL.
 */
export function jsonObject(
  answer: RegistryAnswer,
  call: RegistryCall,
  hint: string,
): Record<string, unknown> {
  const fail = (what: string) =>
    new InvalidConfigError(
      `The catalog ${call.catalogUrl} answered ${call.what} at ${answer.url} with ${what} (HTTP ${answer.status}), not the JSON object the Quilt protocol specifies`,
      { uri: call.catalogUrl, provider: 'catalog', hint },
    );
  if (looksLikeHtml(answer)) throw fail('an HTML page');
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    throw fail('text that is not JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw fail('JSON that is not an object');
  return parsed as Record<string, unknown>;
}

/** The typed error for a non-2xx answer (401 → re-login, 403 → denied, 429/5xx → transient). */
export function statusError(answer: RegistryAnswer, call: RegistryCall, hint = RELOGIN): StowageError {
  const said = serverMessage(answer);
  const message = `The catalog ${call.catalogUrl} refused ${call.what} at ${answer.url}: HTTP ${answer.status}${
    said ? ` (${said})` : looksLikeHtml(answer) ? ' (an HTML page)' : ''
  }`;
  const options = { uri: call.catalogUrl, provider: 'catalog', hint };
  if (answer.status === 401) return new AuthenticationRequiredError(message, options);
  if (answer.status === 403) return new PermissionDeniedError(message, options);
  if (answer.status === 404) {
    return new NotFoundError(message, {
      ...options,
      hint:
        call.notFoundHint ??
        'The registry has no such endpoint: check the catalog URL and run config(catalogUrl) again.',
    });
  }
  // 408 is the registry (or a proxy before it) timing out our request, not a verdict on the login.
  if (answer.status === 408 || answer.status === 429 || answer.status >= 500) {
    return new TransientError(message, {
      ...options,
      hint: 'The stack is failing or busy; try again later.',
    });
  }
  return new AuthenticationRequiredError(message, options);
}

export { RELOGIN };
