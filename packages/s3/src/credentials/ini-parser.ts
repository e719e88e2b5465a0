/** A value in a parsed AWS INI file: a string, or a nested block (`s3 =\n  addressing_style = path`). */
export type IniValue = string | Record<string, string>;
/** Section name → option name (lower-cased) → value, in file order. */
export type IniSections = Record<string, Record<string, IniValue>>;

/** Why configparser rejected a file; the caller turns it into a ConfigParseError naming the file. */
export class IniSyntaxError extends Error {}

const SECTION = /^\[(.+)\]/;
const OPTION = /^(.*?)\s*([=:])\s*(.*)$/;

/**
 * Parse INI text exactly as botocore's `raw_config_parse` does (Python `configparser.RawConfigParser`
 * with its defaults, then botocore's one level of nested values). The SDK's own INI parser is more
 * lenient (it merges repeated sections and accepts lines outside a section), so it would resolve
 * files botocore rejects; this follows configparser:
 * - `#` and `;` start comments only at the beginning of a line; no inline comments;
 * - `=` or `:` separate an option from its value; option names are lower-cased; section names are not;
 * - a line indented deeper than its option continues the value (values are joined with `\n`);
 * - a repeated section or a repeated option within a section is an error (strict mode);
 * - a line before any section header, or a non-empty line that is neither header nor option, is an error;
 * - `[DEFAULT]` supplies defaults to every other section and is not a section itself;
 * - a value that starts with a newline is parsed as `key = value` lines (botocore `_parse_nested`).
 */
export function parseIni(text: string): IniSections {
  const sections = new Map<string, Map<string, string[]>>();
  const defaults = new Map<string, string[]>();
  const seenSections = new Set<string>();
  let current: Map<string, string[]> | undefined;
  let currentName: string | undefined;
  let option: string | undefined;
  let indentLevel = 0;
  let firstError: string | undefined;
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((line, index) => {
    const lineno = index + 1;
    const stripped = line.trim();
    const isComment = stripped.startsWith('#') || stripped.startsWith(';');
    const value = isComment ? '' : stripped;
    if (!value) {
      // configparser keeps blank lines inside a multi-line value (they are trimmed at the end).
      if (!isComment && current && option && current.get(option)) current.get(option)!.push('');
      return;
    }
    const indent = line.search(/\S/);
    if (current && option && indent > indentLevel) {
      current.get(option)!.push(value);
      return;
    }
    indentLevel = indent;
    const header = SECTION.exec(value);
    if (header) {
      const name = header[1]!;
      if (name === 'DEFAULT') current = defaults;
      else {
        if (seenSections.has(name))
          throw new IniSyntaxError(`section '${name}' already exists (line ${lineno})`);
        seenSections.add(name);
        current = new Map();
        sections.set(name, current);
      }
      currentName = name;
      option = undefined;
      return;
    }
    if (!current) throw new IniSyntaxError(`file contains no section headers (line ${lineno})`);
    const match = OPTION.exec(value);
    if (!match?.[1]) {
      firstError ??= `line ${lineno} is neither a section header nor an option`;
      option = undefined;
      return;
    }
    const name = match[1].trimEnd().toLowerCase();
    if (current.has(name)) {
      throw new IniSyntaxError(
        `option '${name}' in section '${currentName}' already exists (line ${lineno})`,
      );
    }
    option = name;
    current.set(name, [match[3]!.trim()]);
  });
  if (firstError) throw new IniSyntaxError(firstError);

  const out: IniSections = {};
  for (const [name, options] of sections) {
    const merged = new Map(defaults);
    for (const [k, v] of options) merged.set(k, v);
    const section: Record<string, IniValue> = {};
    for (const [k, parts] of merged) {
      const joined = parts.join('\n').trimEnd();
      section[k] = joined.startsWith('\n') ? parseNested(joined) : joined;
    }
    out[name] = section;
  }
  return out;
}

function parseNested(value: string): Record<string, string> {
  const nested: Record<string, string> = {};
  for (const raw of value.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const eq = line.indexOf('=');
    if (eq < 0) throw new IniSyntaxError(`nested value line without '=': cannot split`);
    nested[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return nested;
}
