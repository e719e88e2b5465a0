import { describe } from 'vitest';
import { abortBehaviours } from './abort-behaviours.js';
import { capabilityBehaviours } from './capability-behaviours.js';
import { concurrencyBehaviours } from './concurrency-behaviours.js';
import { conditionalBehaviours } from './conditional-behaviours.js';
import { ConformanceHarness } from './conformance-harness.js';
import {
  type ConformanceOptions,
  type MakeProvider,
  resolveConformanceOptions,
} from './conformance-options.js';
import { copyBehaviours } from './copy-behaviours.js';
import { deleteBehaviours } from './delete-behaviours.js';
import { integrityBehaviours } from './integrity-behaviours.js';
import { keyBehaviours } from './key-behaviours.js';
import { listBehaviours } from './list-behaviours.js';
import { metadataBehaviours } from './metadata-behaviours.js';
import { multipartBehaviours } from './multipart-behaviours.js';
import { rangeBehaviours } from './range-behaviours.js';
import { roundTripBehaviours } from './round-trip-behaviours.js';
import { statBehaviours } from './stat-behaviours.js';

/**
 * Register the provider conformance suite as vitest tests: every behaviour the `Provider` contract
 * promises (stat, read/write round trips, keys, ranges, integrity, metadata, listing, delete,
 * conditional requests, abort, concurrency, copy, multipart, capabilities). Behaviours a provider's
 * `capabilities` rule out are skipped with the reason; for those it lacks, the suite checks it refuses
 * them with `UnsupportedOperationError`. Call it at the top level of a test file.
 *
 * @param name shown as the outer `describe`
 * @param makeProvider builds a provider and a fresh empty prefix, once per behaviour
 * @param options what the backend's storage model cannot do (defaults: everything S3 does)
 */
export function describeProviderConformance(
  name: string,
  makeProvider: MakeProvider,
  options: ConformanceOptions = {},
): void {
  const harness = new ConformanceHarness(makeProvider, resolveConformanceOptions(options));
  describe(`provider conformance: ${name}`, () => {
    statBehaviours(harness);
    roundTripBehaviours(harness);
    keyBehaviours(harness);
    rangeBehaviours(harness);
    integrityBehaviours(harness);
    metadataBehaviours(harness);
    listBehaviours(harness);
    deleteBehaviours(harness);
    conditionalBehaviours(harness);
    abortBehaviours(harness);
    concurrencyBehaviours(harness);
    copyBehaviours(harness);
    multipartBehaviours(harness);
    capabilityBehaviours(harness);
  });
}
