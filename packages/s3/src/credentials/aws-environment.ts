import { homedir as osHomedir } from 'node:os';
import type { ResolveContext } from '@stowage/core';

/** The environment and home directory one resolution reads: from the context, never leaking between calls. */
export interface AwsEnvironment {
  /** Environment variables: the context's, else `process.env`. */
  env: Record<string, string | undefined>;
  /** Home directory: the context's, else `HOME`, else the OS's. */
  homedir: string;
  /** Working directory: the context's, else the process's. */
  cwd: string;
}

/**
 * Take env/homedir/cwd from the resolve context, falling back to the process. The home directory
 * follows Python's `os.path.expanduser`: `HOME` from the environment first.
 */
export function awsEnvironment(context: ResolveContext = {}): AwsEnvironment {
  const env = context.env ?? process.env;
  return {
    env,
    homedir: context.homedir ?? env.HOME ?? osHomedir(),
    cwd: context.cwd ?? process.cwd(),
  };
}

/**
 * Expand `$VAR`/`${VAR}` and a leading `~` in a path, as botocore does for config file paths
 * (`os.path.expandvars` then `os.path.expanduser`), against the given environment. Unknown
 * variables stay as written, as in Python.
 */
export function expandPath(path: string, environment: AwsEnvironment): string {
  const vars = path.replace(
    /\$(\w+)|\$\{([^}]+)\}/g,
    (whole, bare: string | undefined, braced: string | undefined) => {
      const value = environment.env[(bare ?? braced)!];
      return value === undefined ? whole : value;
    },
  );
  if (vars === '~' || vars.startsWith('~/')) return environment.homedir + vars.slice(1);
  return vars;
}

/** botocore's boolean parsing for flags such as `AWS_EC2_METADATA_DISABLED` (`'true'`, any case). */
export function isTrue(value: string | undefined): boolean {
  return value?.toLowerCase() === 'true';
}
