import type { Credentials, RefreshOptions } from '@stowage/core';
import type { AwsConfigSnapshot } from './aws-config-files.js';
import type { StsCallOptions } from './sts-calls.js';

/** Options of the boto3-order AWS chain. Each has a botocore default; override for tests or special hosts. */
export interface AwsCredentialChainOptions {
  /** Keys given in code (boto3 `client(aws_access_key_id=..., ...)`); they win over every other source. */
  explicit?: {
    /** `aws_access_key_id`; given without the secret key it fails with `PartialCredentialsError`. */
    accessKeyId?: string;
    /** `aws_secret_access_key`; given without the key id it fails with `PartialCredentialsError`. */
    secretAccessKey?: string;
    /** `aws_session_token` of temporary keys. */
    sessionToken?: string;
  };
  /** Default environment when the resolve context gives none (else `process.env`). */
  env?: Record<string, string | undefined>;
  /** Default home directory when the resolve context gives none (else `HOME`, else the OS's). */
  homedir?: string;
  /** Default working directory (relative token paths, `credential_process`). */
  cwd?: string;
  /** Default profile, as `boto3.Session(profile_name=...)`; disables the environment source. */
  profile?: string;
  /** Instance metadata (IMDSv2). */
  imds?: {
    /** Total time allowed for the whole IMDS lookup, so a host without IMDS fails within 1 s. Default 900 ms. */
    budgetMs?: number;
  };
  /** Container credentials endpoint: per-attempt timeout (botocore: 2 s) and attempts (botocore: 3). */
  container?: {
    /** Timeout of one attempt, in ms. Default 2000. */
    timeoutMs?: number;
    /** Attempts in all, the first included. Default 3. */
    attempts?: number;
  };
  /** `credential_process`: kill the command after this long (botocore waits forever). Default 30 s. */
  processTimeoutMs?: number;
  /** STS calls (assume role, web identity). */
  sts?: StsCallOptions;
  /** SSO portal calls: per-request timeout. Default 10 s. */
  ssoTimeoutMs?: number;
  /** Refresh windows of expiring credentials (default: botocore's 15 min advisory / 10 min mandatory). */
  refresh?: RefreshOptions;
  /** boto2 config files looked at when `BOTO_CONFIG` is unset (botocore: `/etc/boto.cfg`, `~/.boto`). */
  botoConfigFiles?: readonly string[];
}

/** What one source step sees: the loaded files, the profile it resolves, and where to note why. */
export interface AwsScope {
  /** The shared files and environment, loaded for this step. */
  snapshot: AwsConfigSnapshot;
  /** The profile this step resolves (the selected one, or a `source_profile` in a role chain). */
  profileName: string;
  /** botocore's `disable_env_vars`: true for an explicit profile and inside `source_profile` chains. */
  disableEnvVars: boolean;
  /** The chain's options. */
  options: AwsCredentialChainOptions;
  /** Records a line for `explain()`; never pass a secret. */
  note: (line: string) => void;
  /** The resolve context's signal, for network calls and child processes. */
  signal?: AbortSignal;
}

/** One botocore provider: credentials, `undefined` for "not mine", or a typed error for "mine but broken". */
export type AwsSourceStep = (scope: AwsScope) => Promise<Credentials | undefined>;
