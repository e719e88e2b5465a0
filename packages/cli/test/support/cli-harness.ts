import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
export const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The bundled binary, what `stowage` runs (package.json `bin`). */
export const BIN = join(PACKAGE_DIR, 'bundle/bin.js');

/** Build the CLI (and the packages it references) and bundle it, so the tests run the real binary. */
export async function buildCli(): Promise<void> {
  await execFileAsync(process.execPath, [join(PACKAGE_DIR, 'node_modules/typescript/bin/tsc'), '-b'], {
    cwd: PACKAGE_DIR,
    timeout: 120_000,
  });
  await execFileAsync(process.execPath, [join(PACKAGE_DIR, 'scripts/bundle.mjs')], {
    cwd: PACKAGE_DIR,
    timeout: 120_000,
  });
}

/**
 * The flags that point the CLI at a local s3rver (or a proxy before it): its endpoint, a region,
 * and off what s3rver lacks (flexible checksums, the multipart listing hooks).
 */
export function s3rverFlags(endpoint: string): string[] {
  return [
    '--endpoint',
    endpoint,
    '--region',
    'us-east-1',
    '--checksum-algorithm',
    'off',
    '--no-multipart-hooks',
  ];
}

/** An environment with no inherited AWS_* variable, HOME pointed at a temp dir, and `extra` on top. */
export function cleanEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith('AWS_') || key.startsWith('STOWAGE_')) continue;
    if (
      [
        'NODE_OPTIONS',
        'FORCE_COLOR',
        'NO_COLOR',
        'XDG_DATA_HOME',
        'XDG_CONFIG_HOME',
        'XDG_CACHE_HOME',
      ].includes(key)
    )
      continue;
    env[key] = value;
  }
  return { ...env, HOME: home, XDG_CACHE_HOME: join(home, '.cache'), ...extra };
}

/** What a finished run printed and returned. */
export interface CliResult {
  /** Exit code; -1 when the process was killed by a signal. */
  code: number;
  stdout: string;
  stderr: string;
  /** The signal that killed the process, when one did (it did not exit by itself). */
  signal?: NodeJS.Signals;
}

/** A running `stowage` process: the child (to signal), its output so far, and its end. */
export interface CliProcess {
  /** The child process, e.g. to send it a signal. */
  child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Settles when the process has exited (killed with SIGKILL after `timeoutMs`). */
  done: Promise<CliResult>;
}

/**
 * Start the built binary as a child process. Its stdin gets `input` and is closed, unless
 * `openStdin` leaves it open (a process waiting for input).
 */
export function startCli(
  args: readonly string[],
  options: {
    env: Record<string, string>;
    cwd: string;
    input?: string;
    openStdin?: boolean;
    timeoutMs?: number;
  },
): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: 'pipe',
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<CliResult>((resolvePromise, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? -1, stdout, stderr, ...(signal ? { signal } : {}) });
    });
  });
  if (options.openStdin) child.stdin.write(options.input ?? '');
  else child.stdin.end(options.input ?? '');
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

/** Run the built binary as a child process (stdin closed unless `input` is given). */
export function runCli(
  args: readonly string[],
  options: { env: Record<string, string>; cwd: string; input?: string; timeoutMs?: number },
): Promise<CliResult> {
  return startCli(args, options).done;
}

/**
 * Wait until `condition` holds, checking every 25 ms for at most `timeoutMs` (then it throws with
 * `what`, so a test fails with a reason instead of hanging).
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 25));
  }
}

/**
 * Wait until process `pid` sits idle, blocked on input: asleep and using no CPU for `quietMs` (Linux,
 * from /proc/<pid>/stat). A process that waits for stdin shows nothing else a test could wait for.
 */
export async function waitUntilIdle(pid: number, quietMs = 500, timeoutMs = 20_000): Promise<void> {
  const sample = async () => {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    // Fields after the parenthesised command name: state is the 1st, utime and stime the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], cpu: `${fields[11]}/${fields[12]}` };
  };
  let last = await sample();
  let quietSince = Date.now();
  await waitFor(
    async () => {
      const now = await sample();
      if (now.state !== 'S' || now.cpu !== last.cpu) quietSince = Date.now();
      last = now;
      return Date.now() - quietSince >= quietMs;
    },
    `process ${pid} to wait idle`,
    timeoutMs,
  );
}

/** A temp working dir and home for one test file, with ~/.aws written from `aws` (file → text). */
export async function tempWorld(
  aws: Record<string, string> = {},
): Promise<{ root: string; home: string; work: string; cleanup(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'stowage-cli-'));
  const home = join(root, 'home');
  const work = join(root, 'work');
  await mkdir(join(home, '.aws'), { recursive: true });
  await mkdir(work, { recursive: true });
  for (const [name, text] of Object.entries(aws))
    await writeFile(join(home, '.aws', name), text, { mode: 0o600 });
  return { root, home, work, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** Parse `--json` output: one JSON value per non-empty line. */
export function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Deterministic pseudo-random bytes (incompressible enough, no crypto cost). */
export function payload(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
