import { spawn } from 'node:child_process';
import { AbortedError, AuthenticationRequiredError, toAbortedError } from '@stowage/core';

/** Asks the user for the one-time code; injectable so tests and GUIs supply their own. */
export type CodePrompt = (message: string) => Promise<string>;

/** A readable terminal, as `process.stdin` is when attached to one. */
interface TtyInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

/**
 * Read one line from a terminal without echoing it (the code is a long-lived credential; quilt3
 * echoed it until 8.0.0). Backspace edits, Enter ends, Ctrl-C aborts, and so does `signal` (a
 * SIGTERM to the CLI): the terminal is always put back to echoing before the promise settles.
 * Refuses to run without a terminal, pointing batch jobs at `loginWithToken` / `loginWithApiKey`.
 */
export function readHiddenLine(
  message: string,
  input: TtyInput = process.stdin,
  output: NodeJS.WritableStream = process.stderr,
  signal?: AbortSignal,
): Promise<string> {
  if (!input.isTTY || typeof input.setRawMode !== 'function') {
    return Promise.reject(
      new AuthenticationRequiredError('login() needs a terminal to read the code without echo', {
        provider: 'catalog',
        hint: 'In batch jobs use loginWithToken(code) or loginWithApiKey("qk_…").',
      }),
    );
  }
  const tty = input as TtyInput & { setRawMode(mode: boolean): unknown };
  if (signal?.aborted) return Promise.reject(toAbortedError(signal.reason, 'reading the login code'));
  return new Promise((resolve, reject) => {
    let line = '';
    output.write(message);
    tty.setRawMode(true);
    input.setEncoding('utf8');
    const onAbort = () => finish(toAbortedError(signal?.reason, 'reading the login code'));
    signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (error?: Error) => {
      signal?.removeEventListener('abort', onAbort);
      input.removeListener('data', onData);
      tty.setRawMode(false);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(line.trim());
    };
    const onData = (chunk: string | Buffer) => {
      for (const char of chunk.toString()) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish();
        if (char === '\u0003') return finish(new AbortedError('Login cancelled'));
        if (char === '\u007f' || char === '\b') line = line.slice(0, -1);
        else if (char >= ' ') line += char;
      }
    };
    input.on('data', onData);
    input.resume();
  });
}

/**
 * Try to open a URL in the user's browser; false when there is no graphical session (ssh, CI,
 * containers), where printing the URL is all that can be done. Failures are ignored.
 */
export function openInBrowser(
  url: string,
  env: Record<string, string | undefined> = process.env,
  platform: NodeJS.Platform = process.platform,
): boolean {
  let command: string;
  let args: string[];
  if (platform === 'darwin') [command, args] = ['open', [url]];
  else if (platform === 'win32') [command, args] = ['cmd', ['/c', 'start', '""', url]];
  else if (env.DISPLAY || env.WAYLAND_DISPLAY) [command, args] = ['xdg-open', [url]];
  else return false;
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}
