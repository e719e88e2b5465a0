export {
  type AwsConfigSnapshot,
  loadAwsConfig,
  type ProfileMap,
  type ProfileSettings,
} from './aws-config-files.js';
export { awsCredentialChain } from './aws-credential-chain.js';
export type { AwsEnvironment } from './aws-environment.js';
export { type ResolveAwsRegionOptions, resolveAwsRegion } from './aws-region.js';
export type { AwsCredentialChainOptions } from './aws-scope.js';
export { ContextKeyedRefreshingSource } from './context-keyed-refresh.js';
export {
  type AwsCredentialErrorKind,
  AwsInvalidConfigError,
  AwsProfileNotFoundError,
  awsCredentialErrorKind,
  ConfigParseError,
  ContainerUriNotAllowedError,
  CredentialFileNotFoundError,
  CredentialProcessError,
  CredentialRetrievalError,
  PartialCredentialsError,
  ProfileCycleError,
  SsoTokenError,
} from './credential-errors.js';
export { type IniSections, type IniValue, parseIni } from './ini-parser.js';
export { shellSplit } from './shell-split.js';
export type { StsCallOptions } from './sts-calls.js';
