import type { Command } from 'commander';
import type { CliIo } from './cli-io.js';
import type { GlobalOptions } from './global-options.js';
import { createReporter, outputMode, type Reporter } from './output/reporter.js';
import { buildStorage, type RunStorage, type TuningOptions } from './storage/build-storage.js';

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
  /** The run's storage, built on first use and closed when the command ends. */
  storage(tuning?: TuningOptions, forceRouter?: boolean): Promise<RunStorage>;
  /** Write a line of the command's own data (ls entries, cat, presigned URLs) to stdout. */
  print(line: string): void;
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
    storage(tuning, forceRouter) {
      built ??= buildStorage(options, io, tuning, forceRouter);
      return built;
    },
    print(line) {
      io.stdout.write(`${line}\n`);
    },
  };
  try {
    await body(context);
  } finally {
    reporter.finish();
    if (built) await (await built.catch(() => undefined))?.close();
  }
}
