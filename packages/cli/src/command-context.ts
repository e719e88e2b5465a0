import type { StorageUri } from '@stowage/core';
import type { Command } from 'commander';
import type { CliIo } from './cli-io.js';
import type { GlobalOptions } from './global-options.js';
import { createReporter, outputMode, type Reporter } from './output/reporter.js';
import { escapeControls, jsonLine } from './output/terminal-text.js';
import type { RunStorage, TuningOptions } from './storage/build-storage.js';

/** What a command's action works with: its options (globals merged), output and a lazy storage. */
export interface CommandContext<O = object> {
  /** The run's streams, environment and working directory. */
  io: CliIo;
  /** The command's own options merged with the global ones. */
  options: GlobalOptions & O;
  /** Where progress, results and events go, in the run's output mode. */
  reporter: Reporter;
  /** Cancels the command's transfers (Ctrl-C). */
  signal: AbortSignal | undefined;
  /**
   * The run's storage, built on first use and closed when the command ends. `uris` are the
   * locations the command touches: only their adapters are loaded (default: all of them).
   */
  storage(tuning?: TuningOptions, forceRouter?: boolean, uris?: readonly StorageUri[]): Promise<RunStorage>;
  /**
   * Write one line of the command's own data (ls entries, presigned URLs) to stdout, its control
   * characters escaped (a newline in it too: it stays one line).
   */
  print(line: string): void;
  /** Write a block a formatter joined with newlines (stat, plan, credentials), each line escaped. */
  printLines(text: string): void;
  /** Write one JSON record (`--json`), the exact strings kept (see `jsonLine`). */
  printRecord(record: Record<string, unknown>): void;
}

/**
 * Run a command body with its context, and always release what it opened (bars, sockets), so a
 * failing command leaves the terminal clean before the error is printed.
 */
export async function inContext<O>(
  io: CliIo,
  command: Command,
  body: (context: CommandContext<O>) => Promise<void>,
): Promise<void> {
  const options = command.optsWithGlobals() as GlobalOptions & O;
  const reporter = createReporter(outputMode(io, options), io);
  let built: Promise<RunStorage> | undefined;
  const context: CommandContext<O> = {
    io,
    options,
    reporter,
    signal: io.signal,
    storage(tuning, forceRouter, uris) {
      // Loaded here, not at start-up: it pulls in core's storage and, per location, the adapters.
      built ??= import('./storage/build-storage.js').then(({ buildStorage }) =>
        buildStorage(options, io, tuning, forceRouter, uris),
      );
      return built;
    },
    print(line) {
      io.stdout.write(`${escapeControls(line)}\n`);
    },
    printLines(text) {
      for (const line of text.split('\n')) context.print(line);
    },
    printRecord(record) {
      io.stdout.write(`${jsonLine(record)}\n`);
    },
  };
  try {
    await body(context);
  } finally {
    reporter.finish();
    if (built) await (await built.catch(() => undefined))?.close();
  }
}
