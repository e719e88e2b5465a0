import { isAbsolute, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InvalidUriError } from '../errors/error-types.js';
import { redactSecrets } from '../errors/redact.js';

/**
 * A parsed storage location. One shape for every scheme, so providers, the engine and the CLI
 * never re-parse strings:
 *
 * | scheme       | bucket                | key                                   |
 * |--------------|-----------------------|---------------------------------------|
 * | `file`       | `''`                  | absolute path without the leading `/` |
 * | `mem`        | namespace             | key                                   |
 * | `http(s)`    | host[:port]           | decoded path without the leading `/`  |
 * | any other    | bucket                | key (exact bytes, never decoded)      |
 *
 * Any other scheme is an object store's `scheme://bucket/key?versionId=…`, unless the `Storage`
 * has an adapter that parses its own scheme (see `Provider.parseUri`).
 * A key that is empty or ends in `/` names a prefix (a "directory").
 */
export interface StorageUri {
  /** Lower-case scheme without `:` (`file`, `mem`, `http`, `https`, or an adapter's). */
  readonly scheme: string;
  /** Bucket, namespace or host; `''` for `file`. */
  readonly bucket: string;
  /** Object key; exact bytes are kept (`a//b`, trailing `/`, spaces, unicode). */
  readonly key: string;
  /** Object version of a versioned store (`?versionId=`). */
  readonly versionId?: string;
  /** Raw query string of an http(s) URL, without `?`. */
  readonly query?: string;
  /** User info of an http(s) URL (`user:pass@`); never printed by {@link displayUri}. */
  readonly userInfo?: string;
}

/** Anything the API accepts as a location: a string or an already parsed URI. */
export type UriLike = string | StorageUri;

/** Parses one scheme's URIs (an adapter's own syntax); throws InvalidUriError for bad input. */
export type UriParser = (input: string) => StorageUri;

function fail(input: string, rule: string): never {
  throw new InvalidUriError(`Invalid URI "${redactSecrets(input)}": ${rule}`, { uri: input });
}

function checkControlChars(input: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting them is the point
  if (/[\u0000-\u001f\u007f]/.test(input))
    fail(JSON.stringify(input).slice(1, -1), 'contains a NUL or control character');
}

function checkDotSegments(input: string, key: string, root: string): void {
  for (const segment of key.split('/')) {
    if (segment === '..' || segment === '.')
      fail(input, `"${segment}" segments are not allowed (they could escape the ${root})`);
  }
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s;

/** The lower-case scheme of a location string, or undefined for a plain path (`C:` is a drive, not a scheme). */
export function uriScheme(input: string): string | undefined {
  const match = SCHEME.exec(input);
  return match && match[1]!.length > 1 ? match[1]!.toLowerCase() : undefined;
}

/**
 * Parse a location. Plain paths (absolute or relative to the working directory) become `file` URIs.
 * @throws InvalidUriError naming the input and the rule it breaks.
 */
export function parseUri(input: UriLike): StorageUri {
  return parseUriWith(input, NO_PARSERS);
}

const NO_PARSERS: ReadonlyMap<string, UriParser> = new Map();

/**
 * Parse a location, giving the schemes in `parsers` to their own parser (a `Storage` passes its
 * adapters'); every other input parses as {@link parseUri} does. Empty input and control
 * characters are refused before any parser sees them.
 * @throws InvalidUriError naming the input and the rule it breaks.
 */
export function parseUriWith(input: UriLike, parsers: ReadonlyMap<string, UriParser>): StorageUri {
  if (typeof input !== 'string') return input;
  if (input.length === 0) fail(input, 'is empty');
  checkControlChars(input);
  const scheme = uriScheme(input);
  if (scheme === undefined) return parseFilePath(input, resolvePath(input));
  const own = parsers.get(scheme);
  if (own) return own(input);
  const rest = input.slice(scheme.length + 1);
  switch (scheme) {
    case 'file':
      return parseFileUrl(input);
    case 'mem':
      return parseBucketKey(input, 'mem', rest, 'namespace');
    case 'http':
    case 'https':
      return parseHttp(input);
    default:
      return parseObjectUri(input, scheme, rest);
  }
}

function parseFilePath(input: string, absolute: string): StorageUri {
  if (!isAbsolute(absolute)) fail(input, 'is not an absolute path');
  // Keep a trailing slash: it says "directory" to list and copyTree.
  const keepSlash = (input.endsWith('/') || input.endsWith('\\')) && !absolute.endsWith('/');
  const key = absolute.replace(/^\/+/, '') + (keepSlash ? '/' : '');
  return Object.freeze({ scheme: 'file', bucket: '', key });
}

function parseFileUrl(input: string): StorageUri {
  if (!input.startsWith('file:///') && !/^file:\/\/localhost\//i.test(input)) {
    fail(input, 'file URIs must be absolute: file:///path');
  }
  const raw = input.replace(/^file:\/\/(localhost)?/i, '');
  checkDotSegments(input, raw.split(/[?#]/)[0]!.slice(1), 'file system root');
  let path: string;
  try {
    path = fileURLToPath(input);
  } catch (error) {
    return fail(input, (error as Error).message);
  }
  checkControlChars(path);
  const key = path.replace(/^\/+/, '');
  return Object.freeze({
    scheme: 'file',
    bucket: '',
    key: raw.endsWith('/') && !key.endsWith('/') ? `${key}/` : key,
  });
}

function splitBucket(input: string, rest: string, what: string): [string, string] {
  if (!rest.startsWith('//')) fail(input, `expected "//${what}/key" after the scheme`);
  const body = rest.slice(2);
  const slash = body.indexOf('/');
  const bucket = slash === -1 ? body : body.slice(0, slash);
  const key = slash === -1 ? '' : body.slice(slash + 1);
  if (bucket.length === 0) fail(input, `empty ${what}`);
  return [bucket, key];
}

function parseBucketKey(input: string, scheme: string, rest: string, what: string): StorageUri {
  const [bucket, key] = splitBucket(input, rest, what);
  checkDotSegments(input, key, what);
  return Object.freeze({ scheme, bucket, key });
}

/**
 * An object store's `scheme://bucket/key?versionId=…`. Keys are taken verbatim (as awscli and
 * boto3 do): no percent-decoding. Only a trailing `?versionId=...` is structure; any other `?`
 * belongs to the key.
 */
function parseObjectUri(input: string, scheme: string, rest: string): StorageUri {
  let body = rest;
  let versionId: string | undefined;
  const versionMatch = /\?versionId=([^&#?]*)$/.exec(body);
  if (versionMatch) {
    versionId = decodeURIComponent(versionMatch[1]!);
    if (versionId.length === 0) fail(input, 'empty versionId');
    body = body.slice(0, versionMatch.index);
  }
  const [bucket, key] = splitBucket(input, body, 'bucket');
  checkDotSegments(input, key, 'bucket');
  return Object.freeze(
    versionId === undefined ? { scheme, bucket, key } : { scheme, bucket, key, versionId },
  );
}

function parseHttp(input: string): StorageUri {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return fail(input, 'is not a valid URL');
  }
  if (url.hostname.length === 0) fail(input, 'empty host');
  let key: string;
  try {
    key = decodeURIComponent(url.pathname).replace(/^\//, '');
  } catch {
    return fail(input, 'path has invalid percent-encoding');
  }
  checkControlChars(key);
  const userInfo =
    url.username || url.password ? `${url.username}${url.password ? `:${url.password}` : ''}` : undefined;
  const query = url.search.length > 1 ? url.search.slice(1) : undefined;
  return Object.freeze({
    scheme: url.protocol.slice(0, -1),
    bucket: url.host,
    key,
    ...(query === undefined ? {} : { query }),
    ...(userInfo === undefined ? {} : { userInfo }),
  });
}

/** Format a URI back to its canonical string; `parseUri(formatUri(u))` equals `u` for the built-in forms. */
export function formatUri(uri: StorageUri): string {
  switch (uri.scheme) {
    case 'file': {
      const href = pathToFileURL(`/${uri.key}`).href;
      return uri.key.endsWith('/') && !href.endsWith('/') ? `${href}/` : href;
    }
    case 'http':
    case 'https': {
      const path = uri.key
        .split('/')
        .map((segment) => encodeURIComponent(segment))
        .join('/');
      const auth = uri.userInfo === undefined ? '' : `${uri.userInfo}@`;
      return `${uri.scheme}://${auth}${uri.bucket}/${path}${uri.query === undefined ? '' : `?${uri.query}`}`;
    }
    default:
      return `${uri.scheme}://${uri.bucket}/${uri.key}${uri.versionId === undefined ? '' : `?versionId=${encodeURIComponent(uri.versionId)}`}`;
  }
}

/**
 * Display strings of URIs already shown. A StorageUri is immutable (every field is readonly), so
 * its string cannot go stale. Errors and events name the same URI several times per transfer, and
 * formatting a path (`pathToFileURL`) and redacting it cost more than the rest of a small file's
 * bookkeeping.
 */
const displayed = new WeakMap<StorageUri, string>();

/** A URI string safe to print: user info and secret query parameters are masked. */
export function displayUri(uri: UriLike): string {
  if (typeof uri === 'string') return redactSecrets(uri);
  const known = displayed.get(uri);
  if (known !== undefined) return known;
  const text = redactSecrets(formatUri(uri));
  displayed.set(uri, text);
  return text;
}

/** The local path of a `file` URI. */
export function toLocalPath(uri: StorageUri): string {
  if (uri.scheme !== 'file')
    throw new InvalidUriError(`Not a file URI: ${displayUri(uri)}`, { uri: displayUri(uri) });
  return `/${uri.key}`;
}
