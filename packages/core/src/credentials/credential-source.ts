import type { Credentials } from './credentials.js';

/** What a credential source may consult. Injected rather than global so tests and harnesses never leak state. */
export interface ResolveContext {
  /** Environment variables to read instead of `process.env`. */
  env?: Record<string, string | undefined>;
  /** Home directory to use instead of `os.homedir()`. */
  homedir?: string;
  /** Working directory for relative paths and child processes. */
  cwd?: string;
  /** A profile chosen explicitly (like `boto3.Session(profile_name=...)`). */
  profile?: string;
  /**
   * The host (`host[:port]`) the credentials are wanted for, when the caller talks to one: sources
   * keyed by host (`~/.netrc`, per-host tokens) answer only for their hosts, so a secret for one
   * server is never sent to another.
   */
  host?: string;
  /** Ignore cached credentials (after the backend said they expired). */
  forceRefresh?: boolean;
  /** Aborts the lookup (network calls, child processes) where the source can stop. */
  signal?: AbortSignal;
  /**
   * Sources record why they skipped or how they found credentials here; `CredentialChain.explain()`
   * collects the lines. Never pass a secret.
   */
  note?: (detail: string) => void;
}

/**
 * One place credentials can come from. `resolve` returns `undefined` for "not mine, ask the next
 * one"; it throws for "mine, but broken" (a malformed profile), which stops a chain, as in botocore.
 */
export interface CredentialSource {
  /** Short stable name shown by `explain()` (`env`, `shared-credentials-file`, `catalog`, …). */
  readonly name: string;
  /** Credentials, undefined for "not mine", or a typed error for "mine but broken". */
  resolve(context?: ResolveContext): Promise<Credentials | undefined>;
}

/** A source that always returns the given credentials (explicit parameters). */
export function staticCredentials(credentials: Credentials, name = credentials.source): CredentialSource {
  return { name, resolve: async () => credentials };
}
