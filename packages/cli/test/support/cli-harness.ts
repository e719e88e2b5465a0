import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
export const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(PACKAGE_DIR, 'dist/bin.js');

/** Build the CLI (and the packages it references) so the tests run the real binary. */
export async function buildCli(): Promise<void> {
  await execFileAsync(process.execPath, [join(PACKAGE_DIR, 'node_modules/typescript/bin/tsc'), '-b'], {
    cwd: PACKAGE_DIR,
    timeout: 120_000,
  });
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
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the built binary as a child process (stdin closed unless `input` is given). */
export function runCli(
  args: readonly string[],
  options: { env: Record<string, string>; cwd: string; input?: string; timeoutMs?: number },
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: 'pipe',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
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
