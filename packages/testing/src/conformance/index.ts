export type { BehaviourSpec, CapabilityName, Fixture } from './conformance-harness.js';
export type { ConformanceOptions, MakeProvider, ProviderFixture } from './conformance-options.js';
export { describeProviderConformance } from './describe-provider-conformance.js';
export { expectStowageError, type StowageErrorClass } from './expect-stowage-error.js';
