export { type AwsEnvironmentProbeOptions, AwsEnvironmentProbe } from './aws-environment-probe.js';
export { fetchImdsRegion, imdsDisabled, imdsEndpoint, type ImdsAnswer, type ImdsOptions } from './imds-region.js';
export { S3DataLocator, type S3DataLocatorOptions } from './s3-data-locator.js';
