export { AwsEnvironmentProbe, type AwsEnvironmentProbeOptions } from './aws-environment-probe.js';
export {
  fetchImdsRegion,
  type ImdsAnswer,
  type ImdsOptions,
  imdsDisabled,
  imdsEndpoint,
} from './imds-region.js';
export { S3DataLocator, type S3DataLocatorOptions } from './s3-data-locator.js';
