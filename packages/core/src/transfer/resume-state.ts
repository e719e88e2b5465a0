import { type FileHandle, open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { tempPathFor } from '../local/temp-path.js';

// What lets a transfer continue after a crash: a journal of one header line (what is being
// transferred, and the version of it) and one line per finished part. Each part costs one small
// append, so every finished part is on record the moment it finishes (a kill at 75 % loses at
// most the parts in flight) and the cost per part does not grow with the number of parts, as
// rewriting the whole state would.

/** A journal as read back: its header and the records appended after it. */
export interface ResumeJournalContents<H, R> {
  /** The first line. */
  header: H;
  /** Every whole line after it, in order. */
  records: R[];
}

/**
 * The journal at `path`, or undefined when there is none or its header is unreadable (the transfer
 * then starts over). A torn last line, from a crash in the middle of an append, is ignored.
 */
export async function loadJournal<H, R>(path: string): Promise<ResumeJournalContents<H, R> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  let header: H;
  try {
    header = JSON.parse(lines[0] ?? '') as H;
  } catch {
    return undefined;
  }
  const records: R[] = [];
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    try {
      records.push(JSON.parse(line) as R);
    } catch {
      break; // a torn append: nothing after it was written whole
    }
  }
  return { header, records };
}

/** Remove a journal (missing is fine). */
export async function dropState(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}

/**
 * An open journal. Appends are queued one after another and never fail the transfer: the journal
 * is an optimisation, and a lost line only means that part is fetched again.
 */
export class ResumeJournal<R> {
  private queue: Promise<void> = Promise.resolve();

  private constructor(private readonly handle: FileHandle) {}

  /**
   * Start the journal at `path` afresh with `header` and the `records` already known (a resumed
   * transfer's confirmed parts). Written to a temp file and renamed, so a crash leaves the previous
   * journal or the new one, never a torn header; mode 0600, as it names what is being transferred.
   */
  static async begin<H, R>(path: string, header: H, records: readonly R[] = []): Promise<ResumeJournal<R>> {
    // Created exclusively (never through a planted link) and named like every Stowage temp file,
    // so it is hidden from listings and swept like them.
    const temp = tempPathFor(path);
    const body = [header, ...records].map((line) => `${JSON.stringify(line)}\n`).join('');
    try {
      await writeFile(temp, body, { mode: 0o600, flag: 'wx' });
      await rename(temp, path);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    return new ResumeJournal<R>(await open(path, 'a'));
  }

  /** Record one finished part. */
  append(record: R): void {
    const line = `${JSON.stringify(record)}\n`;
    this.queue = this.queue.then(() => this.handle.appendFile(line)).catch(() => undefined);
  }

  /** Wait for queued appends and close the file. */
  async close(): Promise<void> {
    await this.queue;
    await this.handle.close().catch(() => undefined);
  }
}
