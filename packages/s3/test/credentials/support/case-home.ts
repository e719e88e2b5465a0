import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { caseEnvironment } from './reference-cases.js';

/** A throw-away HOME with helpers to write files into it and build a clean AWS-free environment. */
export interface CaseHome {
  home: string;
  /** Write a file (relative paths are under HOME); `mode` is octal, e.g. `0o755`. */
  write(path: string, content: string, mode?: number): Promise<string>;
  /** The process environment without AWS_* / BOTO*, plus these variables and HOME. */
  env(vars?: Record<string, string>): Record<string, string | undefined>;
  remove(): Promise<void>;
}

/** Create a fresh home directory for one test. */
export async function caseHome(): Promise<CaseHome> {
  const home = await mkdtemp(join(tmpdir(), 'stowage-cred-home-'));
  return {
    home,
    async write(path, content, mode) {
      const full = path.startsWith('/') ? path : join(home, path);
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, content);
      if (mode !== undefined) await chmod(full, mode);
      return full;
    },
    env: (vars = {}) => caseEnvironment(vars, home),
    remove: () => rm(home, { recursive: true, force: true }),
  };
}
