import { type CredentialSource, type ResolveContext, redactSecrets } from '@stowage/core';
import type { CredentialsProbe } from './probes.js';
import type { CredentialFacts } from './route-facts.js';

/**
 * A {@link CredentialsProbe} over a credential source or chain: credentials are "available" when
 * the source yields AWS keys. A source that throws (a broken profile) counts as unavailable, with
 * the redacted message as detail, so a routing decision never dies of a credential problem that
 * the HTTP route does not have.
 */
export function credentialAvailability(
  source: CredentialSource,
  context: ResolveContext = {},
): CredentialsProbe {
  return {
    async check(signal?: AbortSignal): Promise<CredentialFacts> {
      try {
        const found = await source.resolve(signal ? { ...context, signal } : context);
        if (found?.kind === 'aws') return { available: true, source: found.source };
        return {
          available: false,
          source: found?.source,
          detail: found
            ? `${source.name} gave ${found.kind} credentials, not AWS keys`
            : `${source.name} found no credentials`,
        };
      } catch (error) {
        return {
          available: false,
          detail: `${source.name} failed: ${redactSecrets((error as Error).message)}`,
        };
      }
    },
  };
}

/** A credentials probe with a fixed answer (tests, or "always anonymous"). */
export function fixedCredentialFacts(facts: CredentialFacts): CredentialsProbe {
  return { check: async () => ({ ...facts }) };
}
