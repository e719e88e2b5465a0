// Secrets the process holds (keys, tokens, passwords) are known exactly, so the scrubber can remove
// them wherever they turn up, in any shape: a server quoting one in plain prose, a credential
// process printing one on stderr. Strings cannot be held weakly, so the registry is bounded in count
// instead: the oldest value goes when it is full (refreshed credentials push out expired ones).

/** Values shorter than this are never registered: scrubbing "a" or "secret" everywhere would garble text. */
export const MIN_SECRET_LENGTH = 8;
/** Most values kept; the scrubber tries each, so this bounds its cost per character. */
export const MAX_SECRETS = 128;
/** Longer values are not registered (no real key or token is this long; a blob is not a secret to match). */
const MAX_SECRET_LENGTH = 64 * 1024;

// Insertion order is age: re-registering a value makes it the newest.
const known = new Set<string>();
let longestFirst: string[] | undefined;

function add(value: string): void {
  if (value.length < MIN_SECRET_LENGTH || value.length > MAX_SECRET_LENGTH) return;
  if (known.delete(value)) {
    known.add(value); // the same values, one of them newer: the sorted list still holds
    return;
  }
  known.add(value);
  while (known.size > MAX_SECRETS) known.delete(known.values().next().value as string);
  longestFirst = undefined;
}

/**
 * Remember a secret value (key, token, password) so that every message, hint, event and log line
 * Stowage scrubs replaces it, whatever text surrounds it. Call it wherever a secret is learned;
 * `Credentials` do it for their own fields. Its URL-encoded form is remembered too (tokens with `/`,
 * `+` or `=` travel encoded in query strings). Values shorter than {@link MIN_SECRET_LENGTH} are ignored.
 */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== 'string') return;
  add(value);
  const encoded = encodeURIComponent(value);
  if (encoded !== value) add(encoded);
}

/** The registered values, longest first (so a value containing another is replaced whole). */
export function knownSecrets(): readonly string[] {
  longestFirst ??= [...known].sort((a, b) => b.length - a.length);
  return longestFirst;
}

/** Forget every registered value (tests, or a process that drops all its credentials). */
export function forgetSecrets(): void {
  known.clear();
  longestFirst = undefined;
}
