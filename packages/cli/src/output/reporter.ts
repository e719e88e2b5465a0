import type { TransferEvent } from '@stowage/core';
import type { CliIo } from '../cli-io.js';
import { JsonReporter } from './json-reporter.js';
import { PlainReporter } from './plain-reporter.js';
import { TtyReporter } from './tty-reporter.js';

/** An event stream to follow (a Transfer's or a Storage's `events$`, an rxjs Observable). */
export interface EventSource {
  /** Start receiving events; call `unsubscribe` on the result to stop. */
  subscribe(next: (event: TransferEvent) => void): {
    /** Stop receiving events. */
    unsubscribe(): void;
  };
}

/** How transfers and notes reach the user: bars on a TTY, plain lines, JSON lines or nothing. */
export interface Reporter {
  /** The output mode this reporter renders. */
  readonly mode: OutputMode;
  /** Render every event of `events$` until `finish()`. */
  follow(events$: EventSource): void;
  /**
   * A line of human output (a file removed, a dry-run plan) on stdout, control characters escaped;
   * dropped by `--quiet`, JSON mode skips it.
   */
  note(line: string): void;
  /**
   * A line of human output about a problem (a failed file, a retry, a warning) on stderr, control
   * characters escaped; `--quiet` and JSON mode skip it (JSON has the event or record instead).
   */
  warn(line: string): void;
  /** A structured record: one JSON line in `--json` mode, `text` otherwise (if given). */
  record(record: Record<string, unknown>, text?: string): void;
  /** Stop following, draw the final state of the bars and release the terminal. */
  finish(): void;
}

/** Which reporter a run uses. */
export type OutputMode = 'tty' | 'plain' | 'json' | 'quiet';

/** Pick the output mode: `--json` wins, then `--quiet`, then bars when stderr is a terminal. */
export function outputMode(
  io: CliIo,
  options: { json?: boolean; quiet?: boolean; progress?: boolean },
): OutputMode {
  if (options.json) return 'json';
  if (options.quiet) return 'quiet';
  if (options.progress !== false && io.stderr.isTTY && io.env.TERM !== 'dumb') return 'tty';
  return 'plain';
}

class QuietReporter implements Reporter {
  readonly mode = 'quiet' as const;
  follow(): void {}
  note(): void {}
  warn(): void {}
  record(): void {}
  finish(): void {}
}

/** Build the reporter for a mode. */
export function createReporter(mode: OutputMode, io: CliIo): Reporter {
  switch (mode) {
    case 'json':
      return new JsonReporter(io);
    case 'quiet':
      return new QuietReporter();
    case 'tty':
      return new TtyReporter(io);
    default:
      return new PlainReporter(io);
  }
}
