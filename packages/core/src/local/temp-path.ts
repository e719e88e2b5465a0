import { createHash, randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** Start of every temp file name (see {@link parseTempName} for the whole format). */
export const TEMP_MARKER = '.stowage-tmp-';

/** Owner field of a resume partial: it outlives its process, so it names no pid. */
const RESUME_OWNER = 'resume';

/** Suffix of a resume partial's state file (`<partial>.json`). */
const STATE_SUFFIX = '.json';

/**
 * Bytes of the target's name kept in a temp name. The fixed fields take at most 46 bytes and a
 * state file adds 5, so a temp name stays within NAME_MAX (255 bytes) whatever the target's name.
 */
const NAME_BUDGET = 120;

/**
 * `.stowage-tmp-<owner>-<tag>-<check>-<name>`: owner is the writing process's pid, or `resume`;
 * tag is 12 hex digits (random, or derived from the target's name for a resume partial); check is
 * the first 8 hex digits of SHA-256 over `<owner>-<tag>-<name>`. Only a name that parses AND
 * whose check matches is a temp file, so a user's `.stowage-tmp-notes.txt` is ordinary data.
 */
const TEMP_PATTERN = /^\.stowage-tmp-(resume|[1-9][0-9]{0,9})-([0-9a-f]{12})-([0-9a-f]{8})-(.*)$/s;

/** What a temp file name says about the file. */
export interface TempName {
  /**
   * `write`: the temp file of one atomic write, owned by `pid`; `resume`: a resumable download's
   * partial file; `resume-state`: that partial's saved state.
   */
  kind: 'write' | 'resume' | 'resume-state';
  /** The process that created a `write` temp file. */
  pid?: number;
}

function checkOf(owner: string, tag: string, name: string): string {
  return createHash('sha256').update(`${owner}-${tag}-${name}`).digest('hex').slice(0, 8);
}

/** `name` cut to at most `budget` UTF-8 bytes, never inside a character. */
function shorten(name: string, budget = NAME_BUDGET): string {
  if (Buffer.byteLength(name) <= budget) return name;
  let out = '';
  let bytes = 0;
  for (const char of name) {
    const size = Buffer.byteLength(char);
    if (bytes + size > budget) break;
    out += char;
    bytes += size;
  }
  return out;
}

function tempName(owner: string, tag: string, target: string): string {
  const name = shorten(basename(target));
  return `${TEMP_MARKER}${owner}-${tag}-${checkOf(owner, tag, name)}-${name}`;
}

/**
 * A temp path beside `target`, in the same directory so the final rename is atomic (same file
 * system). Names this process as its owner and carries a random tag, so concurrent writers never
 * share one and a stale one can be told from a live one.
 */
export function tempPathFor(target: string): string {
  return join(dirname(target), tempName(String(process.pid), randomBytes(6).toString('hex'), target));
}

/**
 * The partial file of a resumable download of `target`: the same path on every run (that is how a
 * rerun finds it), unique per target name (the tag is a digest of the whole name, which a long
 * name loses when cut), and within NAME_MAX. Its state file is this path plus `.json`.
 */
export function resumePathFor(target: string): string {
  const tag = createHash('sha256').update(basename(target)).digest('hex').slice(0, 12);
  return join(dirname(target), tempName(RESUME_OWNER, tag, target));
}

/** What the temp file name `name` (a base name) says, or undefined when it is not one Stowage made. */
export function parseTempName(name: string): TempName | undefined {
  const match = TEMP_PATTERN.exec(name);
  if (match) {
    const [, owner, tag, check, rest] = match as unknown as [string, string, string, string, string];
    if (checkOf(owner, tag, rest) === check)
      return owner === RESUME_OWNER ? { kind: 'resume' } : { kind: 'write', pid: Number(owner) };
    // A partial's state file: the check covers the partial's name, without `.json`.
    if (owner === RESUME_OWNER && rest.endsWith(STATE_SUFFIX)) {
      if (checkOf(owner, tag, rest.slice(0, -STATE_SUFFIX.length)) === check) return { kind: 'resume-state' };
    }
  }
  return undefined;
}

/** True for names that {@link tempPathFor} or {@link resumePathFor} produce (and their state files). */
export function isTempName(name: string): boolean {
  return parseTempName(name) !== undefined;
}
