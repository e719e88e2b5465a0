// Keys, URIs, messages and names in the CLI's output come from buckets, servers and files: a key
// holding `ESC ] 0;…` or `ESC [2J` would retitle or clear the user's terminal, a U+202E would show
// `exe.txt` as `txt.exe`. Everything printed for a human goes through escapeControls; everything
// printed as JSON through jsonLine.

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const HUMAN_UNSAFE = /[\\\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// The same characters but the backslash and C0 (which JSON.stringify already escapes).
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function hex(char: string, digits: number): string {
  return char.charCodeAt(0).toString(16).padStart(digits, '0');
}

/**
 * Text made safe to print on a terminal and unambiguous to read: C0 controls (newline and tab
 * too), DEL and C1 controls as `\xNN` (`\n`, `\t`, `\r` by name), the Unicode bidi overrides and
 * isolates (U+202A–U+202E, U+2066–U+2069) and line/paragraph separators as `\uNNNN`, and a
 * backslash as `\\`, so `a\x1bb` printed means the key really held an ESC. Other text is unchanged.
 * One line in, one line out: a renderer escapes each line, never a block it joined with newlines.
 */
export function escapeControls(text: string): string {
  return text.replace(HUMAN_UNSAFE, (char) => {
    const named = NAMED[char];
    if (named !== undefined) return named;
    return char <= '\u00ff' ? `\\x${hex(char, 2)}` : `\\u${hex(char, 4)}`;
  });
}

/**
 * One JSON line for `--json` output: `JSON.stringify`, with DEL, C1 controls, bidi overrides and
 * line separators also written as `\uNNNN` escapes (JSON.stringify escapes only C0). Parsing gives
 * back the exact strings (keys keep every byte), yet no raw control reaches a terminal the JSON
 * is shown on. Such characters only occur inside JSON strings, where `\uNNNN` is their equal.
 */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(JSON_UNSAFE, (char) => `\\u${hex(char, 4)}`);
}
