import type { TransferEvent } from '@stowage/core';
import type { CliIo } from '../cli-io.js';
import { formatBytes, formatEta, formatRate } from './byte-format.js';
import type { EventSource, Reporter } from './reporter.js';
import { escapeControls } from './terminal-text.js';
import { TransferBook } from './transfer-book.js';

/** Milliseconds between two progress lines of one long transfer (logs stay readable). */
const PROGRESS_EVERY_MS = 5_000;

/**
 * Plain lines for logs and pipes: one line per file copied, skipped or failed, a progress line
 * every few seconds for long transfers, warnings and route decisions. Results go to stdout,
 * warnings and failures to stderr.
 */
export class PlainReporter implements Reporter {
  readonly mode = 'plain' as const;
  private readonly book = new TransferBook();
  private readonly lastLine = new Map<string, number>();
  private readonly subscriptions: Array<{ unsubscribe(): void }> = [];

  constructor(private readonly io: CliIo) {}

  follow(events$: EventSource): void {
    this.subscriptions.push(events$.subscribe((event) => this.onEvent(event)));
  }

  note(line: string): void {
    this.io.stdout.write(`${escapeControls(line)}\n`);
  }

  warn(line: string): void {
    this.io.stderr.write(`${escapeControls(line)}\n`);
  }

  record(_record: Record<string, unknown>, text?: string): void {
    if (text !== undefined) this.note(text);
  }

  finish(): void {
    for (const s of this.subscriptions.splice(0)) s.unsubscribe();
  }

  private onEvent(event: TransferEvent): void {
    const t = this.book.apply(event);
    switch (event.type) {
      case 'progress': {
        if (!t || event.totalBytes === undefined) return;
        const last = this.lastLine.get(event.transferId) ?? t.startedAt;
        if (event.at - last < PROGRESS_EVERY_MS) return;
        this.lastLine.set(event.transferId, event.at);
        const pct = event.totalBytes > 0 ? Math.floor((event.bytes / event.totalBytes) * 100) : 100;
        this.note(
          `... ${t.source} ${pct}% ${formatBytes(event.bytes)}/${formatBytes(event.totalBytes)} ${formatRate(event.rate)} ETA ${formatEta(event.etaSeconds)}`,
        );
        return;
      }
      case 'completed': {
        if (!t?.source) return; // a tree's own completion: the command prints the summary
        if (event.skipped)
          this.note(`skipped ${t.source} (${event.skipped === 'same' ? 'unchanged' : 'exists'})`);
        else {
          const seconds = Math.max(event.durationMs, 1) / 1000;
          this.note(
            `copied ${t.source} -> ${t.destination} (${formatBytes(event.bytes)} in ${seconds.toFixed(1)}s, ${formatRate(event.bytes / seconds)})`,
          );
        }
        this.settle(event.transferId);
        return;
      }
      case 'failed':
        if (t?.source) this.warn(`failed ${t.source}: ${event.error.message} [${event.error.code}]`);
        this.settle(event.transferId);
        return;
      case 'retry':
        this.warn(
          `retry ${event.operation} (attempt ${event.attempt}, in ${event.delayMs} ms): ${event.reason}`,
        );
        return;
      case 'warning':
        this.warn(`warning: ${event.message}`);
        return;
      case 'routed':
        this.note(
          `routed ${event.requested} via ${event.route} ${event.uri} (${event.reasonCodes.join(', ')})`,
        );
        return;
      default:
        return;
    }
  }

  private settle(id: string): void {
    this.book.drop(id);
    this.lastLine.delete(id);
  }
}
