// Which setting, header, field or parameter names carry a secret value. Names are compared in a
// normal form (lower case, without `_`, `-` and `.`) by their ending, so one rule covers
// `aws_secret_access_key`, `SecretAccessKey`, `X-Amz-Security-Token`, `client_secret`,
// `db_password` and `STOWAGE_TOKEN` alike.

/** Endings (normal form) of names whose value is a secret. */
const SECRET_ENDINGS = [
  'secret',
  'secretkey',
  'secretaccesskey',
  'token',
  'password',
  'passwd',
  'apikey',
  'signature',
  'signatureprovided',
  'credential',
  'authorization',
];

/** Names that end like a secret but hold none: pagination cursors. */
const NOT_SECRET = new Set([
  'continuationtoken',
  'nextcontinuationtoken',
  'nexttoken',
  'pagetoken',
  'nextpagetoken',
]);

/**
 * Names whose unquoted `name: value` is taken as a secret even without a `_` or `-` in the name. A
 * bare word before a colon is usually prose (`ExpiredToken: The provided token has expired`,
 * `failed to refresh token: timeout`), so only these and separated names (`session_token:`,
 * `X-Amz-Security-Token:`) count in that shape.
 */
const COLON_NAMES = new Set([
  'password',
  'passwd',
  'authorization',
  'proxyauthorization',
  'secretaccesskey',
  'secretkey',
  'sessiontoken',
  'securitytoken',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'clientsecret',
  'apikey',
]);

/** `name` in the normal form: lower case, without `_`, `-` and `.`. */
function normal(name: string): string {
  return name.toLowerCase().replace(/[_.-]/g, '');
}

/**
 * True when a value named `name` (a setting, header, JSON field, query parameter) is a secret:
 * keys, tokens, passwords, signatures, credentials, `Authorization`. Pagination tokens are not.
 */
export function isSecretName(name: string): boolean {
  const n = normal(name);
  return !NOT_SECRET.has(n) && SECRET_ENDINGS.some((ending) => n.endsWith(ending));
}

/** True for a secret name that also counts in the bare `name: value` shape (headers, YAML). */
export function isSecretHeaderName(name: string): boolean {
  return isSecretName(name) && (/[_.-]/.test(name) || COLON_NAMES.has(normal(name)));
}

/** True for `Authorization`-like names, whose value is a scheme and the rest of the line. */
export function isAuthorizationName(name: string): boolean {
  return normal(name).endsWith('authorization');
}
