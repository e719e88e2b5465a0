import { redactNamedValues } from './named-values.js';
import { knownSecrets } from './secret-registry.js';

// Secrets reach messages through URLs (presigned query strings, user:pass@host), headers and bodies
// echoed by servers, INI and JSON text, and the output of credential programs. Scrubbing at the
// point where an error or event is built means no caller has to remember to do it.
//
// Every pass is linear in the text, because a message can be anything a server or a file holds (a
// 200 KB S3 <Message>, a 1 MB config value): each regex starts on a fixed literal and its runs
// cannot overlap from one attempt to the next, and the name-value shapes are read by a scanner.

const MASK = '***';

/** Longest text {@link redactSecrets} returns by default; the rest becomes a note with its length. */
export const DEFAULT_REDACTED_LENGTH = 8 * 1024;

const PATTERNS: Array<[RegExp, string]> = [
  // user:password@ in URLs; anchored on "://" (matching a scheme before it made this quadratic)
  [/:\/\/[^/\s:@]+:[^/\s@]+@/g, `://${MASK}:${MASK}@`],
  // query parameters that name a key in words the name rule does not take as secret everywhere
  [/([?&](?:key|AWSAccessKeyId)=)[^&\s#"']*/gi, `$1${MASK}`],
  // bearer tokens anywhere
  [/\bBearer[ \t]+[A-Za-z0-9._~+/=-]+/g, `Bearer ${MASK}`],
  // AWS access key ids (long-term and temporary): not secret per AWS, but they name an account.
  // `{12}` then `*`, not `{12,}`: V8 backtracks a counted repetition with a stack entry per
  // character, which overflows on a long run.
  [/\b(?:AKIA|ASIA)[A-Z0-9]{12}[A-Z0-9]*\b/g, MASK],
];

/** Shortest run of key, token and base64 characters taken for a credential by `opaqueRuns`. */
const MIN_OPAQUE_RUN = 20;

/**
 * Mask runs of key, token and base64 characters (20+) that mix upper case, lower case and digits:
 * what random keys and tokens look like, unlike words, names and most paths. A scanner, not a regex:
 * a regex repetition over a 10 MB run overflows V8's backtracking stack.
 */
function maskOpaqueRuns(text: string): string {
  let out = '';
  let kept = 0;
  let i = 0;
  while (i < text.length) {
    const start = i;
    let classes = 0;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 97 && c <= 122) classes |= 1;
      else if (c >= 65 && c <= 90) classes |= 2;
      else if (c >= 48 && c <= 57) classes |= 4;
      else if (c !== 43 && c !== 47 && c !== 61 && c !== 95 && c !== 45) break;
    }
    if (i - start >= MIN_OPAQUE_RUN && classes === 7) {
      out += text.slice(kept, start) + MASK;
      kept = i;
    }
    if (i === start) i++;
  }
  return kept === 0 ? text : out + text.slice(kept);
}

/** Options of {@link redactSecrets}. */
export interface RedactOptions {
  /**
   * Longest result: a longer text is cut there and ends with `… (cut; N characters in all)`. Default
   * {@link DEFAULT_REDACTED_LENGTH}; `Infinity` keeps (and scrubs) all.
   */
  maxLength?: number;
  /**
   * Also mask long random-looking runs (mixed case and digits, 20+ characters), for the output of a
   * program that may print keys nobody registered (a `credential_process` that fails).
   */
  opaqueRuns?: boolean;
}

/** Characters scrubbed past `maxLength`, so a name and value that cross the cut are read whole. */
const CUT_MARGIN = 1024;

/** A URL whose user info runs to the end of a cut text: its `@` was cut off, so its end is unknown. */
const OPEN_USER_INFO = /:\/\/[^/\s:@]*:[^/\s@]*$/;

function cut(text: string, maxLength: number, sourceLength: number): string {
  if (text.length <= maxLength) return text;
  let end = Math.max(0, Math.floor(maxLength));
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // never split a surrogate pair
  return `${text.slice(0, end)}… (cut; ${sourceLength} characters in all)`;
}

/**
 * Remove credentials, tokens, passwords and signatures from a string meant for a message, event or
 * log line: first every value registered with `registerSecret` (whatever surrounds it), then the
 * values of secret-named fields in JSON, XML, INI, query, header and URL shapes, bearer tokens and
 * access key ids. A text longer than `maxLength` is cut: only its head (with a margin longer than any
 * registered secret, so nothing that crosses the cut escapes) is scrubbed. Linear in the text.
 */
export function redactSecrets(text: string, options: RedactOptions = {}): string {
  const source = typeof text === 'string' ? text : String(text);
  const maxLength = options.maxLength ?? DEFAULT_REDACTED_LENGTH;
  const secrets = knownSecrets();
  const head = maxLength + CUT_MARGIN + (secrets[0]?.length ?? 0);
  const cutShort = source.length > head;
  let out = cutShort ? source.slice(0, head) : source;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
  }
  out = redactNamedValues(out);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  if (cutShort) out = out.replace(OPEN_USER_INFO, `://${MASK}:${MASK}`);
  if (options.opaqueRuns) out = maskOpaqueRuns(out);
  return cut(out, maxLength, source.length);
}
