import { homedir } from 'node:os';

/** A stream the CLI writes to; `isTTY` and `columns` decide between progress bars and plain lines. */
export interface OutputStream extends NodeJS.WritableStream {
  /** True on a terminal: progress bars instead of plain lines. */
  isTTY?: boolean;
  /** Terminal width in characters, for fitting progress bars. */
  columns?: number;
}

/**
 * Everything the CLI touches outside itself, so `run()` works in-process (tests, embedding) with
 * its own streams, environment and working directory instead of the process's.
 */
export interface CliIo {
  /** Command output (listings, `cat` bytes, `--json` lines). */
  stdout: OutputStream;
  /** Progress, messages and errors. */
  stderr: OutputStream;
  /** Input: the catalog login code, typed (without echo) or piped in. */
  stdin: NodeJS.ReadableStream & {
    /** True on a terminal (a hidden prompt can be shown). */
    isTTY?: boolean;
  };
  /** Environment variables (AWS_*, HOME, STOWAGE_*), never mutated. */
  env: Record<string, string | undefined>;
  /** Directory relative paths are resolved against. */
  cwd: string;
  /**
   * Cancels running transfers (Ctrl-C); they clean up and the run exits with code 130, or with the
   * signal's code when the reason is an `InterruptedError` (see `cancelOnInterrupts`).
   */
  signal?: AbortSignal;
}

/** The process's own streams, environment and working directory. */
export function processIo(signal?: AbortSignal): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    ...(signal ? { signal } : {}),
  };
}

/** The home directory the run uses: `HOME` (else `USERPROFILE`) of its environment, else the OS's. */
export function homeOf(io: CliIo): string {
  return io.env.HOME || io.env.USERPROFILE || homedir();
}
