import type { StowageErrorCode } from '@stowage/core';

/** One row of the exit-code table (printed by `stowage --help` and in the README). */
export interface ExitCodeRow {
  /** The process exit code. */
  exitCode: number;
  /** What it means, in the words `--help` prints. */
  meaning: string;
  /** The `StowageError` codes that end a run with this exit code. */
  errorCodes: readonly string[];
}

/**
 * Exit codes by error class, stable across releases so scripts can branch on them. Grouped by what
 * the user does next: fix the command line (2), the path (3), access (4/5), config (6), or retry (10).
 * A run cancelled by a signal ends with 128 + the signal's number (129, 130, 143), as a shell reports.
 */
export const EXIT_CODES: readonly ExitCodeRow[] = [
  { exitCode: 0, meaning: 'success', errorCodes: [] },
  { exitCode: 1, meaning: 'unexpected error (a bug: run with --debug and report it)', errorCodes: [] },
  {
    exitCode: 2,
    meaning: 'usage: bad command line, option, argument or URI',
    errorCodes: ['InvalidArgument', 'InvalidUri'],
  },
  { exitCode: 3, meaning: 'not found: object, bucket, file or prefix', errorCodes: ['NotFound'] },
  { exitCode: 4, meaning: 'permission denied (or no allowed route)', errorCodes: ['PermissionDenied'] },
  {
    exitCode: 5,
    meaning: 'credentials or login missing, expired or unknown profile',
    errorCodes: ['CredentialsNotFound', 'ProfileNotFound', 'AuthenticationRequired'],
  },
  { exitCode: 6, meaning: 'invalid configuration file or value', errorCodes: ['InvalidConfig'] },
  { exitCode: 7, meaning: 'operation not supported by this storage', errorCodes: ['Unsupported'] },
  {
    exitCode: 8,
    meaning: 'precondition failed (the object changed or already exists)',
    errorCodes: ['PreconditionFailed'],
  },
  {
    exitCode: 9,
    meaning: 'integrity: size or checksum mismatch, nothing kept',
    errorCodes: ['ChecksumMismatch'],
  },
  {
    exitCode: 10,
    meaning: 'temporary failure or timeout: retrying may help',
    errorCodes: ['Transient', 'Timeout'],
  },
  { exitCode: 11, meaning: 'download cap would be exceeded', errorCodes: ['DownloadCapExceeded'] },
  {
    exitCode: 129,
    meaning: 'hung up (SIGHUP): transfers cancelled, nothing partial kept',
    errorCodes: [],
  },
  {
    exitCode: 130,
    meaning: 'interrupted (Ctrl-C, SIGINT) or aborted: nothing partial kept',
    errorCodes: ['Aborted'],
  },
  {
    exitCode: 143,
    meaning: 'terminated (SIGTERM): transfers cancelled, nothing partial kept',
    errorCodes: [],
  },
];

/** Exit code of a command-line parsing error (unknown option, missing argument). */
export const USAGE_EXIT_CODE = 2;
/** Exit code of anything that is not a Stowage error. */
export const UNEXPECTED_EXIT_CODE = 1;

const BY_ERROR_CODE = new Map<string, number>(
  EXIT_CODES.flatMap((row) => row.errorCodes.map((code) => [code, row.exitCode] as const)),
);

/** The exit code for a Stowage error code; unknown codes are "unexpected". */
export function exitCodeFor(errorCode: StowageErrorCode | string | undefined): number {
  return (errorCode && BY_ERROR_CODE.get(errorCode)) || UNEXPECTED_EXIT_CODE;
}

/** The exit-code table as aligned text lines, for `--help` and the README. */
export function formatExitCodes(): string {
  return EXIT_CODES.map((row) => {
    const codes = row.errorCodes.length ? ` (${row.errorCodes.join(', ')})` : '';
    return `  ${String(row.exitCode).padStart(3)}  ${row.meaning}${codes}`;
  }).join('\n');
}
