import { CommanderError } from 'commander';
import { type CliIo, processIo } from './cli-io.js';
import { USAGE_EXIT_CODE } from './errors/exit-codes.js';
import { formatError } from './errors/render-error.js';
import { interruptExitCode } from './interruption.js';
import { buildProgram } from './program.js';

/**
 * Run `stowage` with `argv` (the arguments after the program name) against `io`, and resolve to
 * the exit code instead of exiting, so the CLI can be embedded and tested in-process. Errors are
 * printed as one line plus a hint (a stack only with `--debug`, JSON with `--json`), never a secret.
 * A run whose `io.signal` was aborted by an interrupt (see `cancelOnInterrupts`) and failed ends
 * with that signal's exit code.
 */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const program = buildProgram(io, argv);
  const json = argv.includes('--json');
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end with exit code 0; parsing errors were already printed by commander.
      return error.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
    }
    // A run cancelled by a signal ends with that signal's code, whatever its work failed with.
    const interrupted = interruptExitCode(io.signal);
    const { text, exitCode } = formatError(error, {
      json,
      debug,
      ...(interrupted === undefined ? {} : { exitCode: interrupted }),
    });
    io.stderr.write(text);
    return exitCode;
  }
}
