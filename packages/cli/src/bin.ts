#!/usr/bin/env node
import { processIo } from './cli-io.js';
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

// Ctrl-C cancels running transfers (they remove temp files and abort multipart uploads) and the
// run ends with exit code 130; a second Ctrl-C exits at once.
const controller = new AbortController();
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(130);
  controller.abort();
});
// A closed pipe (`stowage cat … | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await run(process.argv.slice(2), processIo(controller.signal));
