import { isStowageError, redactSecrets } from '@stowage/core';
import { escapeControls, jsonLine } from '../output/terminal-text.js';
import { exitCodeFor, UNEXPECTED_EXIT_CODE } from './exit-codes.js';

/** A failure reduced to what the user sees: one line, a hint, the exit code. Secret-free. */
export interface RenderedError {
  /** Stowage error code (`NotFound`, …), one mapped from a Node errno, or `Unexpected`. */
  code: string;
  /** The message on one line, secrets redacted. */
  message: string;
  /** What to do next: the error's own hint, else a default for its code. */
  hint: string | undefined;
  /** Process exit code for the code (see `EXIT_CODES`). */
  exitCode: number;
}

/** What to suggest when the error carries no hint of its own. */
const DEFAULT_HINTS: Record<string, string> = {
  NotFound: 'Check the location, e.g. with `stowage ls` on its parent.',
  // Providers give their own hint (file permissions, IAM and bucket policies); this is the fallback.
  PermissionDenied:
    'Check what the identity used may do there: file permissions for local paths, `stowage credentials explain` and the policies for S3.',
  CredentialsNotFound:
    'Run `stowage credentials explain` to see where credentials were looked for; use --no-sign-request for public data.',
  ProfileNotFound: 'Check the profile name in ~/.aws/config and ~/.aws/credentials (and AWS_PROFILE).',
  AuthenticationRequired: 'Run `stowage catalog login` (or log in again).',
  InvalidConfig: 'Fix the file or value named above.',
  Unsupported: 'This storage cannot do that; see `stowage --help` for what each scheme supports.',
  InvalidArgument: 'Run the command with --help for its usage.',
  InvalidUri: 'Locations look like ./path, s3://bucket/key, https://host/path or mem://ns/key.',
  Transient: 'The service or network failed temporarily; try again.',
  Timeout: 'The service did not answer in time; try again.',
  ChecksumMismatch: 'The data changed in transit or at the source; nothing was kept. Try again.',
  DownloadCapExceeded: 'Raise --download-cap, or add a mirror and pass --cap-action http.',
  PreconditionFailed: 'The object changed or already exists; check it and try again.',
  Aborted: 'The run was interrupted; nothing partial was kept.',
};

/** Node system errors that reach the CLI unmapped, by errno code. */
const NODE_ERRNO: Record<string, string> = {
  ENOENT: 'NotFound',
  ENOTDIR: 'NotFound',
  EACCES: 'PermissionDenied',
  EPERM: 'PermissionDenied',
  ECONNREFUSED: 'Transient',
  ECONNRESET: 'Transient',
  ETIMEDOUT: 'Timeout',
  ENOTFOUND: 'Transient',
  EPIPE: 'Aborted',
};

const oneLine = (text: string) =>
  redactSecrets(text)
    .replace(/\s*\n\s*/g, ' ')
    .trim();

/** Reduce any thrown value to a code, one clean line, a hint and an exit code. */
export function describeError(error: unknown): RenderedError {
  if (isStowageError(error)) {
    return {
      code: error.code,
      message: oneLine(error.message),
      hint: error.hint ? oneLine(error.hint) : DEFAULT_HINTS[error.code],
      exitCode: exitCodeFor(error.code),
    };
  }
  const errno = (error as { code?: unknown })?.code;
  const mapped = typeof errno === 'string' ? NODE_ERRNO[errno] : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (mapped) {
    return {
      code: mapped,
      message: oneLine(message),
      hint: DEFAULT_HINTS[mapped],
      exitCode: exitCodeFor(mapped),
    };
  }
  return {
    code: 'Unexpected',
    message: oneLine(message || 'unknown error'),
    hint: 'This looks like a bug: run again with --debug and report the output.',
    exitCode: UNEXPECTED_EXIT_CODE,
  };
}

/** Stack and cause chain for `--debug`, still scrubbed of secrets. */
function debugDetails(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    const e = current as { stack?: string; message?: string; name?: string; cause?: unknown };
    lines.push(depth === 0 ? 'debug:' : 'caused by:');
    lines.push(e.stack ?? `${e.name ?? 'Error'}: ${e.message ?? String(current)}`);
    current = e.cause;
  }
  return redactSecrets(lines.join('\n')).split('\n').map(escapeControls).join('\n');
}

/**
 * The text printed for a failure: `stowage: <message> [<code>]` and `hint: …` — plus the stack only
 * with `--debug`; with `--json`, one JSON line instead. Never a secret: every piece is redacted.
 * Never a raw control character either: messages quote keys and server text (escapeControls).
 */
export function formatError(
  error: unknown,
  options: {
    /** One JSON line instead of text. */
    json?: boolean;
    /** Add the stack and cause chain. */
    debug?: boolean;
    /** Exit code to report instead of the error class's (a run ended by a signal). */
    exitCode?: number;
  } = {},
): {
  /** Text to write to stderr, newline-terminated. */
  text: string;
  /** Process exit code to end the run with. */
  exitCode: number;
} {
  const described = describeError(error);
  const rendered = options.exitCode === undefined ? described : { ...described, exitCode: options.exitCode };
  let text: string;
  if (options.json) {
    text = `${jsonLine({ type: 'error', ...rendered })}\n`;
  } else {
    text = `stowage: ${escapeControls(rendered.message)} [${rendered.code}]\n`;
    if (rendered.hint) text += `hint: ${escapeControls(rendered.hint)}\n`;
  }
  if (options.debug) text += `${debugDetails(error)}\n`;
  return { text, exitCode: rendered.exitCode };
}
