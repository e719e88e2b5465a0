/**
 * Split a command line into words the way Python's `shlex.split(s)` (POSIX mode) does; botocore
 * uses it for `credential_process` and for `[profile "name"]` section headers. No shell runs:
 * quotes group, backslashes escape, nothing expands. Throws on an unterminated quote or escape,
 * like shlex's "No closing quotation".
 */
export function shellSplit(input: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < input.length; i++) {
    const ch = input[i]!;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && i + 1 < input.length && '\\"$`\n'.includes(input[i + 1]!)) word += input[++i];
      else word += ch;
      continue;
    }
    if (ch === '\\') {
      if (i + 1 >= input.length) throw new Error('No escaped character');
      word += input[++i];
      inWord = true;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) throw new Error('No closing quotation');
  if (inWord) words.push(word);
  return words;
}
