export { type CompletedPartInfo, completeMultipartUploadXml } from './complete-xml.js';
export { CredentialBridge } from './credential-bridge.js';
export { type AwsIdentityProvider, defaultCredentialSource } from './default-credentials.js';
export type { S3ReadStream } from './read-body.js';
export { RegionCache } from './region-cache.js';
export { register } from './register.js';
export { checkEndpoint, checkRegion, isValidRegion, pathStyleFor } from './s3-client-factory.js';
export {
  isExpiredCredentialsError,
  isWrongRegionError,
  mapS3Error,
  redirectRegion,
  type S3ErrorContext,
  s3ErrorCode,
} from './s3-errors.js';
export { S3_LIMITS } from './s3-limits.js';
export { bucketNameProblem, MAX_KEY_BYTES } from './s3-names.js';
export type { S3ObjectStat, S3ReadOptions, S3StatOptions } from './s3-object-read.js';
export type { PresignedMultipartUpload, PresignMultipartOptions } from './s3-presign.js';
export { S3Provider } from './s3-provider.js';
export type {
  S3ChecksumAlgorithm,
  S3ProviderOptions,
  S3ServerSideEncryption,
} from './s3-provider-options.js';
