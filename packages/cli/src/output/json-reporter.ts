import type { CliIo } from '../cli-io.js';
import type { EventSource, Reporter } from './reporter.js';
import { jsonLine } from './terminal-text.js';

/**
 * `--json`: every transfer event, as the library emits it, on one line of stdout, plus the
 * command's own records (entries, results). Events carry no secrets (the engine redacts them).
 */
export class JsonReporter implements Reporter {
  readonly mode = 'json' as const;
  private readonly subscriptions: Array<{ unsubscribe(): void }> = [];

  constructor(private readonly io: CliIo) {}

  follow(events$: EventSource): void {
    this.subscriptions.push(events$.subscribe((event) => this.line(event)));
  }

  note(): void {}

  warn(): void {}

  record(record: Record<string, unknown>): void {
    this.line(record);
  }

  finish(): void {
    for (const s of this.subscriptions.splice(0)) s.unsubscribe();
  }

  private line(value: unknown): void {
    this.io.stdout.write(`${jsonLine(value)}\n`);
  }
}
