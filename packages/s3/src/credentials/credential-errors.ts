import {
  AuthenticationRequiredError,
  CredentialsNotFoundError,
  InvalidConfigError,
  NotFoundError,
  ProfileNotFoundError,
  type StowageErrorOptions,
} from '@stowage/core';

/**
 * Why AWS credential resolution failed, one value per botocore exception family. Compare this, not
 * the message: it is what the botocore reference cases record as `kind`.
 */
export type AwsCredentialErrorKind =
  | 'partial-credentials'
  | 'profile-not-found'
  | 'config-parse'
  | 'credential-process'
  | 'credential-retrieval'
  | 'profile-cycle'
  | 'invalid-config'
  | 'sso-token'
  | 'file-not-found'
  | 'container-uri-not-allowed'
  /** core's ExpiredCredentialsError: a source answered with credentials already expired. */
  | 'expired-credentials';

/** botocore `PartialCredentialsError`: a source holds one half of a key pair (names the variable or key). */
export class PartialCredentialsError extends InvalidConfigError {
  /** Stable discriminant; see {@link AwsCredentialErrorKind}. */
  readonly kind = 'partial-credentials' as const;
  constructor(method: string, missing: string, options?: StowageErrorOptions) {
    super(`Partial credentials found in ${method}, missing: ${missing}`, { provider: method, ...options });
  }
}

/** botocore `ProfileNotFound`: the selected profile exists in neither the config nor the credentials file. */
export class AwsProfileNotFoundError extends ProfileNotFoundError {
  /** Stable discriminant; see {@link AwsCredentialErrorKind}. */
  readonly kind = 'profile-not-found' as const;
  /** The profile name that was asked for. */
  readonly profile: string;
  constructor(profile: string, options?: StowageErrorOptions) {
    super(`The config profile (${profile}) could not be found`, {
      hint: 'Check AWS_PROFILE / AWS_DEFAULT_PROFILE and the [profile NAME] sections of ~/.aws/config',
      ...options,
    });
    this.profile = profile;
  }
}

/** botocore `ConfigParseError`: an INI file configparser rejects (names the file, never its content). */
export class ConfigParseError extends InvalidConfigError {
  /** Stable discriminant; see {@link AwsCredentialErrorKind}. */
  readonly kind = 'config-parse' as const;
  /** The file that could not be parsed or read. */
  readonly path: string;
  constructor(path: string, detail: string, options?: StowageErrorOptions) {
    super(`Unable to parse config file: ${path} (${detail})`, { uri: path, ...options });
    this.path = path;
  }
}

/** botocore `CredentialRetrievalError` raised by `credential_process` (exit status, bad JSON, version, timeout). */
export class CredentialProcessError extends CredentialsNotFoundError {
  /** Stable discriminant; see {@link AwsCredentialErrorKind}. */
  readonly kind = 'credential-process' as const;
  constructor(detail: string, options?: StowageErrorOptions) {
    super(`Error when retrieving credentials from custom-process: ${detail}`, {
      provider: 'custom-process',
      ...options,
    });
  }
}

/** botocore `CredentialRetrievalError` from any other source (container endpoint, credential_source). */
export class CredentialRetrievalError extends CredentialsNotFoundError {
  /** Stable discriminant; see {@link AwsCredentialErrorKind}. */
  readonly kind = 'credential-retrieval' as const;
  constructor(method: string, detail: string, options?: StowageErrorOptions) {
    super(`Error when retrieving credentials from ${method}: ${detail}`, { provider: method, ...options });
  }
}

/** botocore `InfiniteLoopConfigError`: `source_profile` links form a cycle. */
export class ProfileCycleError extends InvalidConfigError {
  /** Stable discriminant; see {@link AwsCredentialErrorKind}. */
  readonly kind = 'profile-cycle' as const;
  constructor(profile: string, visited: readonly string[], options?: StowageErrorOptions) {
    super(
      `Infinite loop in credential configuration detected. Attempting to load from profile ${profile} which has already been visited. Visited profiles: ${visited.join(', ')}`,
      options,
    );
  }
}

/** botocore `InvalidConfigError`: a profile is configured in a way botocore refuses. */
export class AwsInvalidConfigError extends InvalidConfigError {
  /** Stable discriminant; see {@link AwsCredentialErrorKind}. */
  readonly kind = 'invalid-config' as const;
}

/** botocore `SSOTokenLoadError` / `UnauthorizedSSOTokenError` / `TokenRetrievalError`: log in again. */
export class SsoTokenError extends AuthenticationRequiredError {
  /** Stable discriminant; see {@link AwsCredentialErrorKind}. */
  readonly kind = 'sso-token' as const;
  constructor(message: string, options?: StowageErrorOptions) {
    super(message, {
      hint: 'Run `aws sso login` with the corresponding profile',
      provider: 'sso',
      ...options,
    });
  }
}

/** A file a source was told to read is missing (web identity token, container token file). */
export class CredentialFileNotFoundError extends NotFoundError {
  /** Stable discriminant; see {@link AwsCredentialErrorKind}. */
  readonly kind = 'file-not-found' as const;
  /** The missing file. */
  readonly path: string;
  constructor(path: string, what: string, options?: StowageErrorOptions) {
    super(`No such file: ${path} (${what})`, { uri: path, ...options });
    this.path = path;
  }
}

/** botocore refuses a container credentials URL that is plain HTTP to a non-loopback, non-ECS/EKS host. */
export class ContainerUriNotAllowedError extends InvalidConfigError {
  /** Stable discriminant; see {@link AwsCredentialErrorKind}. */
  readonly kind = 'container-uri-not-allowed' as const;
  constructor(host: string, options?: StowageErrorOptions) {
    super(
      `Unsupported host '${host}' in AWS_CONTAINER_CREDENTIALS_FULL_URI. Can only retrieve metadata from https, a loopback address or one of these hosts: 169.254.170.2, 169.254.170.23, fd00:ec2::23, localhost`,
      { provider: 'container-role', ...options },
    );
  }
}

/** The `kind` of an AWS credential error, or undefined for any other error. */
export function awsCredentialErrorKind(error: unknown): AwsCredentialErrorKind | undefined {
  const kind = (error as { kind?: unknown } | null)?.kind;
  return typeof kind === 'string' ? (kind as AwsCredentialErrorKind) : undefined;
}
