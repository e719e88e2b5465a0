// The process around `run`: warnings, signals, a closed stdout, the exit code. Loaded by bin.ts
// once the compile cache is on.
import { processIo } from './cli-io.js';
import { cancelOnInterrupts } from './interruption.js';
import { run } from './run.js';

// The AWS SDK warns on every run under Node < 22 about its future support policy; that is noise on
// a command's stderr (which must stay one line per error), so it shows only with --debug.
if (!process.argv.includes('--debug')) {
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (text.startsWith('NodeVersionSupportWarning')) return;
    emitWarning(warning, ...rest);
  }) as typeof process.emitWarning;
}

// Ctrl-C, SIGTERM and SIGHUP cancel running transfers (they remove temp files and abort multipart
// uploads) and the run ends with 130, 143 or 129; a second signal exits at once, showing the cursor
// the progress bars hid.
const signal = cancelOnInterrupts(process, () => {
  if (process.stderr.isTTY) process.stderr.write('\x1b[?25h');
});
// A closed pipe (`stowage cat … | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await run(process.argv.slice(2), processIo(signal));
