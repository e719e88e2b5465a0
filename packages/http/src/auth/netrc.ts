import { readFile, stat } from 'node:fs/promises';
import { homedir as osHomedir } from 'node:os';
import { join } from 'node:path';
import { type CredentialSource, Credentials, InvalidConfigError } from '@stowage/core';

/** One `machine` (or the `default`) entry of a netrc file. */
export interface NetrcEntry {
  /** Host name; undefined for the `default` entry. */
  machine: string | undefined;
  /** User name; an entry without one yields no credentials. */
  login?: string;
  /** Password; sent as empty when absent. */
  password?: string;
  /** `account` value; parsed but not used for authentication. */
  account?: string;
}

// The npm netrc parsers are unmaintained (the most used one pins 2018 versions of execa and debug to
// decrypt .netrc.gpg), so the format, which is small, is read here.
function tokenize(text: string, file: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  let lineStart = true;
  // Keywords and values alternate (`default` takes none), so a value spelled "macdef" is a value.
  let valueNext = false;
  let macroNamed = false;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      lineStart = true;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f') {
      i++;
      continue;
    }
    if (c === '#' && lineStart) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    lineStart = false;
    let token = '';
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        token += text[i];
        i++;
      }
      if (i >= text.length)
        throw new InvalidConfigError(`${file}: unterminated quoted string`, { uri: file });
      i++;
    } else {
      while (i < text.length && !/\s/.test(text[i]!)) {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        token += text[i];
        i++;
      }
    }
    tokens.push(token);
    const keyword: boolean = !valueNext;
    valueNext = keyword && token !== 'default';
    if (keyword && token === 'macdef') macroNamed = true;
    else if (macroNamed) {
      macroNamed = false;
      // A macro body runs to the next empty line; it is skipped whole.
      const blank = text.slice(i).search(/\n[ \t\r]*\n/);
      i = blank === -1 ? text.length : i + blank + 1;
      lineStart = true;
    }
  }
  return tokens;
}

/**
 * Parse netrc text (`machine`, `default`, `login`, `password`, `account`, `macdef`, `#` comment lines,
 * double-quoted values) as curl and Python read it.
 * @throws InvalidConfigError naming the file and the token that breaks the format (never a value).
 */
export function parseNetrc(text: string, file = '.netrc'): NetrcEntry[] {
  const tokens = tokenize(text, file);
  const entries: NetrcEntry[] = [];
  let current: NetrcEntry | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const value = () => {
      const v = tokens[i + 1];
      if (v === undefined)
        throw new InvalidConfigError(`${file}: "${token}" is missing its value`, { uri: file });
      i++;
      return v;
    };
    switch (token) {
      case 'machine':
        current = { machine: value() };
        entries.push(current);
        break;
      case 'default':
        current = { machine: undefined };
        entries.push(current);
        break;
      case 'login':
      case 'password':
      case 'account': {
        if (!current)
          throw new InvalidConfigError(`${file}: "${token}" before any "machine" or "default"`, {
            uri: file,
          });
        current[token] = value();
        break;
      }
      case 'macdef':
        value();
        break;
      default:
        throw new InvalidConfigError(`${file}: unexpected token "${token.length > 20 ? '…' : token}"`, {
          uri: file,
        });
    }
  }
  return entries;
}

/** The entry for a host: its `machine`, else `default` (as curl and Python do). */
export function netrcEntryFor(entries: readonly NetrcEntry[], hostname: string): NetrcEntry | undefined {
  const host = hostname.toLowerCase();
  return (
    entries.find((e) => e.machine?.toLowerCase() === host) ?? entries.find((e) => e.machine === undefined)
  );
}

/** Options of {@link netrcCredentials}. */
export interface NetrcOptions {
  /** The file; default `$NETRC`, else `~/.netrc` (`~/_netrc` on Windows). */
  path?: string;
}

/**
 * Basic credentials from a netrc file, for the host asked about (the `machine` entry, else `default`),
 * as curl `--netrc` and Python `requests` use it, and as NASA Earthdata and many data portals expect.
 * A missing file or host is "not mine"; a malformed file stops the chain.
 */
export function netrcCredentials(options: NetrcOptions = {}): CredentialSource {
  return {
    name: 'netrc',
    async resolve(context = {}) {
      const env = context.env ?? process.env;
      const home = context.homedir ?? osHomedir();
      const file =
        options.path ?? env.NETRC ?? join(home, process.platform === 'win32' ? '_netrc' : '.netrc');
      if (context.host === undefined) {
        context.note?.('no host given; netrc entries are per host');
        return undefined;
      }
      const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
        throw new InvalidConfigError(`Cannot read ${file}: ${error.code ?? error.message}`, { uri: file });
      });
      if (text === undefined) {
        context.note?.(`${file} does not exist`);
        return undefined;
      }
      const hostname = context.host.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
      const entry = netrcEntryFor(parseNetrc(text, file), hostname);
      if (!entry?.login) {
        context.note?.(`${file} has no entry for ${hostname}`);
        return undefined;
      }
      if (process.platform !== 'win32') {
        const mode = (await stat(file)).mode;
        if (mode & 0o077) context.note?.(`${file} is readable by others (chmod 600 it)`);
      }
      context.note?.(
        `${file}: ${entry.machine === undefined ? 'default entry' : `machine ${entry.machine}`}`,
      );
      return Credentials.basic(entry.login, entry.password ?? '', 'netrc');
    },
  };
}
