import { isAbsolute, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InvalidUriError } from '../errors/error-types.js';
import { redactSecrets } from '../errors/redact.js';

/**
 * A parsed storage location. One shape for every scheme, so providers, the engine and the CLI
 * never re-parse strings:
 *
 * | scheme      | bucket                | key                                  |
 * |-------------|-----------------------|--------------------------------------|
 * | `file`      | `''`                  | absolute path without the leading `/` |
 * | `mem`       | namespace             | key                                  |
 * | `s3`        | bucket                | key (exact bytes, never decoded)     |
 * | `http(s)`   | host[:port]           | decoded path without the leading `/` |
 * | `quilt+s3`  | bucket                | the `path=` inside the package       |
 *
 * A key that is empty or ends in `/` names a prefix (a "directory").
 */
export interface StorageUri {
  /** Lower-case scheme without `:` (`file`, `mem`, `s3`, `http`, `https`, `quilt+s3`, or a custom one). */
  readonly scheme: string;
  /** Bucket, namespace or host; `''` for `file`. */
  readonly bucket: string;
  /** Object key; exact bytes are kept (`a//b`, trailing `/`, spaces, unicode). */
  readonly key: string;
  /** S3 object version (`?versionId=`). */
  readonly versionId?: string;
  /** Raw query string of an http(s) URL, without `?`. */
  readonly query?: string;
  /** User info of an http(s) URL (`user:pass@`); never printed by {@link displayUri}. */
  readonly userInfo?: string;
  /** Quilt package name (`user/pkg`) of a `quilt+s3` URI. */
  readonly packageName?: string;
  /** Quilt package top hash (`@hash`). */
  readonly packageHash?: string;
  /** Quilt package tag (`:tag`), e.g. `latest`. */
  readonly packageTag?: string;
}

/** Anything the API accepts as a location: a string or an already parsed URI. */
export type UriLike = string | StorageUri;

const KNOWN_SCHEMES = new Set(['file', 'mem', 's3', 'http', 'https', 'quilt+s3']);
const extraSchemes = new Set<string>();

/** Let custom adapters' schemes parse generically as `scheme://bucket/key`. */
export function registerUriScheme(scheme: string): void {
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) {
    throw new InvalidUriError(`Scheme "${scheme}" is not a valid URI scheme (letters, digits, + . -)`);
  }
  extraSchemes.add(scheme);
}

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

/**
 * Parse a location. Plain paths (absolute or relative to the working directory) become `file` URIs.
 * @throws InvalidUriError naming the input and the rule it breaks.
 */
export function parseUri(input: UriLike): StorageUri {
  if (typeof input !== 'string') return input;
  if (input.length === 0) fail(input, 'is empty');
  checkControlChars(input);
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s.exec(input);
  // A one-letter "scheme" is a Windows drive letter, not a scheme.
  if (!match || match[1]!.length === 1) return parseFilePath(input, resolvePath(input));
  const scheme = match[1]!.toLowerCase();
  const rest = match[2]!;
  switch (scheme) {
    case 'file':
      return parseFileUrl(input);
    case 's3':
      return parseS3(input, rest);
    case 'mem':
      return parseBucketKey(input, 'mem', rest, 'namespace');
    case 'http':
    case 'https':
      return parseHttp(input);
    case 'quilt+s3':
      return parseQuilt(input, rest);
    default:
      if (extraSchemes.has(scheme)) return parseBucketKey(input, scheme, rest, 'bucket');
      return fail(
        input,
        `unknown scheme "${scheme}:" (known: ${[...KNOWN_SCHEMES, ...extraSchemes].join(', ')})`,
      );
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

function parseS3(input: string, rest: string): StorageUri {
  // Keys are taken verbatim (as awscli and boto3 do): no percent-decoding. Only a trailing
  // `?versionId=...` is structure; any other `?` belongs to the key.
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
    versionId === undefined ? { scheme: 's3', bucket, key } : { scheme: 's3', bucket, key, versionId },
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

function parseQuilt(input: string, rest: string): StorageUri {
  const hash = rest.indexOf('#');
  const head = hash === -1 ? rest : rest.slice(0, hash);
  const [bucket, extra] = splitBucket(input, head, 'bucket');
  if (extra.length > 0)
    fail(input, 'quilt+s3 URIs carry the path in the fragment: quilt+s3://bucket#package=user/pkg&path=p');
  const params = new URLSearchParams(hash === -1 ? '' : rest.slice(hash + 1));
  const spec = params.get('package');
  if (!spec) fail(input, 'missing "package=" in the fragment');
  const pkg = /^([^@:/]+\/[^@:/]+)(?:@([0-9a-f]+)|:([A-Za-z0-9._-]+))?$/.exec(spec);
  if (!pkg) fail(input, `package "${spec}" must look like user/pkg, user/pkg@hash or user/pkg:tag`);
  const key = params.get('path') ?? '';
  checkControlChars(key);
  checkDotSegments(input, key, 'package root');
  return Object.freeze({
    scheme: 'quilt+s3',
    bucket,
    key,
    packageName: pkg[1]!,
    ...(pkg[2] === undefined ? {} : { packageHash: pkg[2] }),
    ...(pkg[3] === undefined ? {} : { packageTag: pkg[3] }),
  });
}

/** Format a URI back to its canonical string; `parseUri(formatUri(u))` equals `u`. */
export function formatUri(uri: StorageUri): string {
  switch (uri.scheme) {
    case 'file': {
      const href = pathToFileURL(`/${uri.key}`).href;
      return uri.key.endsWith('/') && !href.endsWith('/') ? `${href}/` : href;
    }
    case 's3':
      return `s3://${uri.bucket}/${uri.key}${uri.versionId === undefined ? '' : `?versionId=${encodeURIComponent(uri.versionId)}`}`;
    case 'http':
    case 'https': {
      const path = uri.key
        .split('/')
        .map((segment) => encodeURIComponent(segment))
        .join('/');
      const auth = uri.userInfo === undefined ? '' : `${uri.userInfo}@`;
      return `${uri.scheme}://${auth}${uri.bucket}/${path}${uri.query === undefined ? '' : `?${uri.query}`}`;
    }
    case 'quilt+s3': {
      const pkg = `${uri.packageName}${uri.packageHash ? `@${uri.packageHash}` : ''}${uri.packageTag ? `:${uri.packageTag}` : ''}`;
      const params = new URLSearchParams({ package: pkg });
      if (uri.key) params.set('path', uri.key);
      return `quilt+s3://${uri.bucket}#${params.toString().replace(/%2F/g, '/').replace(/%40/g, '@').replace(/%3A/g, ':')}`;
    }
    default:
      return `${uri.scheme}://${uri.bucket}/${uri.key}`;
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
