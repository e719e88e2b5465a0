import type { Readable } from 'node:stream';
import { InvalidManifestError } from '../errors/error-types.js';
import type { Entry } from '../provider/provider.js';
import { textLines } from '../provider/text-lines.js';
import { displayUri } from '../uri/storage-uri.js';

/**
 * One object of a manifest: what a tree copy needs to copy it without listing the source. A
 * manifest is JSON lines, one object each, exactly the records `stowage ls -r --json` prints
 * (`{"type":"object","uri":…,"key":…,"size":…,"etag":…,"lastModified":…}`), written by
 * {@link manifestRecord} and read by {@link parseManifest}.
 */
export interface ManifestEntry {
  /** The object's full key in its bucket (not relative): the copy takes the part under its source prefix. */
  key: string;
  /** Size in bytes, as listed: the copy verifies it, and `if-different` compares it. */
  size: number;
  /** ETag as listed: a rerun skips objects whose destination has the same (within one provider). */
  etag?: string;
  /** Last write time as listed: the `if-different` rule across providers. */
  lastModified?: Date;
}

/** The manifest line (as a record, to print as JSON) of a listed object: the one format. */
export function manifestRecord(entry: Extract<Entry, { type: 'object' }>): Record<string, unknown> {
  return {
    type: 'object',
    uri: displayUri(entry.uri),
    key: entry.key,
    size: entry.size,
    ...(entry.etag !== undefined ? { etag: entry.etag } : {}),
    ...(entry.lastModified ? { lastModified: entry.lastModified.toISOString() } : {}),
  };
}

function entryOf(record: unknown, line: number, where: string): ManifestEntry | undefined {
  const bad = (what: string) =>
    new InvalidManifestError(`Line ${line} of ${where} ${what}`, line, {
      uri: where,
      hint: 'A manifest holds the lines of `stowage ls -r --json <source>`, one object each.',
    });
  if (typeof record !== 'object' || record === null || Array.isArray(record))
    throw bad('is not a JSON object');
  const fields = record as Record<string, unknown>;
  // A delimited listing's prefixes are directories, not objects to copy.
  if (fields.type === 'prefix') return undefined;
  if (fields.type !== undefined && fields.type !== 'object')
    throw bad(`has type "${String(fields.type).slice(0, 40)}", not "object"`);
  const { key, size, etag, lastModified } = fields;
  if (typeof key !== 'string' || key.length === 0) throw bad('has no "key" (a non-empty string)');
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw bad('has no "size" (a whole number of bytes)');
  if (etag !== undefined && typeof etag !== 'string') throw bad('has an "etag" that is not a string');
  let modified: Date | undefined;
  if (lastModified !== undefined) {
    modified = typeof lastModified === 'string' ? new Date(lastModified) : undefined;
    if (modified === undefined || Number.isNaN(modified.getTime()))
      throw bad('has a "lastModified" that is not an ISO date');
  }
  return {
    key,
    size,
    ...(etag !== undefined ? { etag } : {}),
    ...(modified ? { lastModified: modified } : {}),
  };
}

/**
 * The entries of a manifest's lines, in order, as they are read (constant memory). Blank lines
 * and `prefix` records are passed over; a line that is not JSON or not an entry throws an
 * {@link InvalidManifestError} naming its number (and `where`, the manifest's display name).
 */
export async function* parseManifest(
  lines: AsyncIterable<string> | Iterable<string>,
  where = 'the manifest',
): AsyncIterable<ManifestEntry> {
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      throw new InvalidManifestError(`Line ${line} of ${where} is not valid JSON`, line, {
        uri: where,
        hint: 'A manifest holds the lines of `stowage ls -r --json <source>`, one object each.',
      });
    }
    const entry = entryOf(record, line, where);
    if (entry) yield entry;
  }
}

/** The entries of a manifest read from a stream (a file, an object, an HTTP body). */
export function readManifest(body: Readable, where: string): AsyncIterable<ManifestEntry> {
  return parseManifest(textLines(body, where), where);
}
