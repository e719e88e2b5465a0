import { isAuthorizationName, isSecretHeaderName, isSecretName } from './secret-names.js';

// Secret values next to their names, in every shape a message quotes them:
//   JSON / Python   "SessionToken": "v"   'token': 'v'   {\"SessionToken\":\"v\"}
//   XML             <SecretAccessKey>v</SecretAccessKey>
//   INI / env       aws_secret_access_key = v    AWS_SESSION_TOKEN=v
//   query string    ?X-Amz-Signature=v&…   token=v
//   header / YAML   X-Amz-Security-Token: v    Authorization: Bearer v
// A hand-written scanner, linear in the text: the regex only finds a name keyword (a fixed literal,
// then a bounded name tail it cannot backtrack into), and every value character the scanner reads
// is either replaced and skipped or was never read (a name is judged before its value is scanned).

const MASK = '***';
/** Longest name part before or after the keyword; a longer "name" is prose or data, not a name. */
const MAX_NAME = 48;
/** Most spaces or tabs around a separator. */
const MAX_GAP = 16;

// The lookahead takes the rest of the name greedily and the backreference consumes exactly that, so
// the match never gives characters back (an atomic group, which JavaScript regexes lack). The name
// must end there and be followed by a separator (a quote may close it first) or `>`: text without
// one is skipped inside the regex engine, at no cost per keyword.
const KEYWORD = new RegExp(
  `(?:secret|token|passw(?:or)?d|api[_-]?key|authori[sz]ation|signature|credential)(?=([\\w.-]{0,${MAX_NAME}}))\\1` +
    `(?![\\w.-])(?=(?:\\\\?["'])?[ \\t]{0,${MAX_GAP}}[:=]|>)`,
  'gi',
);

function isNameChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45
  );
}

function charTable(chars: string): Uint8Array {
  const table = new Uint8Array(128);
  for (const c of chars) table[c.charCodeAt(0)] = 1;
  return table;
}
/** What ends an unquoted value: white space and the delimiters of the shapes around it. */
const VALUE_STOP = charTable(' \t\r\n\f\v&;,"\'<>(){}[]\\`');
/** What ends an `Authorization` value (it has spaces and commas: `AWS4-HMAC-SHA256 Credential=…, Signature=…`). */
const AUTHORIZATION_STOP = charTable('\r\n"\'<>&');

function stopsAt(table: Uint8Array, c: number): boolean {
  return c < 128 && table[c] === 1;
}

function skipBlanks(text: string, from: number): number {
  let i = from;
  while (i < text.length && i - from < MAX_GAP && (text[i] === ' ' || text[i] === '\t')) i++;
  return i;
}

interface Span {
  start: number;
  end: number;
}

/** The quoted value starting at `at` (the quote, or `\` and the quote of an escaped string). */
function quotedValue(text: string, at: number): Span | undefined {
  const escaped = text[at] === '\\';
  const quote = text.charCodeAt(escaped ? at + 1 : at);
  const start = escaped ? at + 2 : at + 1;
  let end = start;
  while (end < text.length) {
    const c = text.charCodeAt(end);
    if (c === quote || c === 10 || c === 13) break;
    if (c === 92) {
      // inside an escaped string, `\"` closes it; otherwise a backslash escapes the next character
      if (escaped) break;
      end += 2;
      continue;
    }
    end++;
  }
  end = Math.min(end, text.length);
  return end > start ? { start, end } : undefined;
}

/** `Authorization` values keep their scheme (`Bearer`, `AWS4-HMAC-SHA256`) and lose the rest of the line. */
function authorizationValue(text: string, at: number): Span | undefined {
  let scheme = at;
  while (scheme < text.length && scheme - at < 32 && isNameChar(text.charCodeAt(scheme))) scheme++;
  const start =
    scheme > at && (text[scheme] === ' ' || text[scheme] === '\t') ? skipBlanks(text, scheme) : at;
  let end = start;
  while (end < text.length && !stopsAt(AUTHORIZATION_STOP, text.charCodeAt(end))) end++;
  return end > start ? { start, end } : undefined;
}

function unquotedValue(text: string, at: number): Span | undefined {
  let end = at;
  while (end < text.length && !stopsAt(VALUE_STOP, text.charCodeAt(end))) end++;
  return end > at ? { start: at, end } : undefined;
}

const SECRET = 1;
const HEADER = 2;
const AUTHORIZATION = 4;
/** Names judged so far (a text repeats a few names many times); cleared when it grows. */
const judged = new Map<string, number>();

function judge(name: string): number {
  let kind = judged.get(name);
  if (kind === undefined) {
    kind =
      (isSecretName(name) ? SECRET : 0) |
      (isSecretHeaderName(name) ? HEADER : 0) |
      (isAuthorizationName(name) ? AUTHORIZATION : 0);
    if (judged.size >= 1024) judged.clear();
    judged.set(name, kind);
  }
  return kind;
}

/** Longest name the scanner reads back from its end: a tail, the longest keyword, a head. */
const MAX_FULL_NAME = 2 * MAX_NAME + 'authorization'.length;

/** The secret value that follows the name ending at `nameEnd` (found by its keyword), if it has one. */
function secretValueAfter(text: string, nameEnd: number): Span | undefined {
  const floor = Math.max(0, nameEnd - MAX_FULL_NAME);
  let start = nameEnd;
  while (start > floor && isNameChar(text.charCodeAt(start - 1))) start--;
  if (start > 0 && isNameChar(text.charCodeAt(start - 1))) return undefined;
  const opener = start > 0 ? text[start - 1] : '';
  let i = nameEnd;

  if (opener === '<') {
    // <Name>value</Name>: the value runs to the next tag
    if (text[i] !== '>' || !(judge(text.slice(start, nameEnd)) & SECRET)) return undefined;
    const close = text.indexOf('<', i + 1);
    const end = close === -1 ? text.length : close;
    return end > i + 1 ? { start: i + 1, end } : undefined;
  }

  let quotedName = false;
  if (opener === '"' || opener === "'") {
    if (text[i] === opener) {
      i++;
      quotedName = true;
    } else if (text[i] === '\\' && text[i + 1] === opener) {
      i += 2;
      quotedName = true;
    }
  }
  i = skipBlanks(text, i);
  const separator = text[i];
  if (separator !== '=' && separator !== ':') return undefined;
  i = skipBlanks(text, i + 1);
  const first = text[i];
  if (first === undefined || first === '=' || first === ':') return undefined;
  const quotedValueAhead =
    first === '"' || first === "'" || (first === '\\' && (text[i + 1] === '"' || text[i + 1] === "'"));
  // "Name": takes a quoted value (JSON); an unquoted one follows a quoted word in prose
  // (`must not carry "Authorization": pass credentials instead`)
  if (quotedName && separator === ':' && !quotedValueAhead) return undefined;
  // a bare word before a colon is often prose ("ExpiredToken: The provided token…"): header names only
  const bare = separator === ':' && !quotedName && !quotedValueAhead;
  const kind = judge(text.slice(start, nameEnd));
  if (!(kind & (bare ? HEADER : SECRET))) return undefined;
  if (quotedValueAhead) return quotedValue(text, i);
  if (kind & AUTHORIZATION) return authorizationValue(text, i);
  return unquotedValue(text, i);
}

/** Replace the values of secret-named settings, fields, parameters and headers with `***`. */
export function redactNamedValues(text: string): string {
  KEYWORD.lastIndex = 0;
  const parts: string[] = [];
  let kept = 0;
  // `test`, not `exec`: no match object per keyword; the name is read back from where the match ends.
  while (KEYWORD.test(text)) {
    const value = secretValueAfter(text, KEYWORD.lastIndex);
    if (value === undefined) continue;
    parts.push(text.slice(kept, value.start), MASK);
    kept = value.end;
    KEYWORD.lastIndex = value.end;
  }
  if (kept === 0) return text;
  parts.push(text.slice(kept));
  return parts.join('');
}
