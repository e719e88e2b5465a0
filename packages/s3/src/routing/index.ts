export { AwsEnvironmentProbe, type AwsEnvironmentProbeOptions } from './aws-environment-probe.js';
export { estimateCost, priceFor } from './cost-estimate.js';
export { credentialAvailability, fixedCredentialFacts } from './credential-availability.js';
export * from './download-meter.js';
export * from './fallback.js';
export {
  fetchImdsRegion,
  type ImdsAnswer,
  type ImdsOptions,
  imdsDisabled,
  imdsEndpoint,
} from './imds-region.js';
export * from './mirror-map.js';
export * from './probes.js';
export * from './reason-codes.js';
export { requesterPaysReads } from './requester-pays-reads.js';
export * from './route-decision.js';
export { formatDecision, formatRouteExplanation } from './route-explanation-format.js';
export * from './route-facts.js';
export * from './route-policy.js';
export { RouteRefusedError } from './route-refused-error.js';
export {
  divertToMirror,
  explainFacts,
  nextNeededFact,
  type RuleStep,
  type RuleTrace,
  route,
} from './route-rules.js';
export * from './router.js';
export { S3DataLocator, type S3DataLocatorOptions } from './s3-data-locator.js';
export { createS3Router, type S3RouterSetup } from './s3-router-setup.js';
export * from './static-data-locator.js';
