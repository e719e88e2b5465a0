import { CommanderError } from 'commander';
import { type CliIo, processIo } from './cli-io.js';
import { USAGE_EXIT_CODE } from './errors/exit-codes.js';
import { formatError } from './errors/render-error.js';
import { buildProgram } from './program.js';

/**
 * Run `stowage` with `argv` (the arguments after the program name) against `io`, and resolve to
 * the exit code instead of exiting, so the CLI can be embedded and tested in-process. Errors are
 * printed as one line plus a hint (a stack only with `--debug`, JSON with `--json`), never a secret.
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
    const { text, exitCode } = formatError(error, { json, debug });
    io.stderr.write(text);
    return exitCode;
  }
}
