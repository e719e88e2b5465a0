import { type Capabilities, type StorageUri, withKey } from '@stowage/core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { MakeProvider, ProviderFixture, ResolvedConformanceOptions } from './conformance-options.js';

/** One flag of a provider's capability table. */
export type CapabilityName = keyof Capabilities;

/** A fixture as behaviours see it: the provider, its base prefix, and key helpers. */
export interface Fixture extends ProviderFixture {
  /** The base's key as a prefix: `''` or ending in `/`. */
  readonly baseKey: string;
  /** The URI of `key` under the base, byte for byte (no normalisation, so `a//b` stays `a//b`). */
  at(key: string): StorageUri;
  /** A full key made relative to the base. */
  relative(fullKey: string): string;
}

/** When a behaviour applies. */
export interface BehaviourSpec {
  /** Runs only when the provider has every one of these capabilities. */
  needs?: CapabilityName[];
  /** Runs only when the provider lacks every one of these (to check it refuses them). */
  lacks?: CapabilityName[];
  /** Runs only when true (a {@link ConformanceOptions} flag). */
  when?: boolean;
  /** Moves many bytes or keys: gets four times the ordinary timeout. */
  slow?: boolean;
}

/** The body of one behaviour. */
export type BehaviourBody = (fixture: Fixture) => Promise<void>;

/** Registers behaviours under a shared fixture (see {@link ConformanceHarness.sharedGroup}). */
export interface SharedGroup {
  /** One read-only behaviour on the group's seeded fixture. */
  behaviour(title: string, spec: BehaviourSpec, body: BehaviourBody): void;
}

/**
 * Registers behaviours as vitest tests. Each behaviour gets its own fixture (a fresh prefix), and is
 * skipped, with the reason shown, when the provider's capabilities or the options rule it out: the
 * capabilities are only known once `makeProvider` ran, so the check happens inside the test.
 */
export class ConformanceHarness {
  constructor(
    private readonly makeProvider: MakeProvider,
    /** The suite's options, defaults filled in. */
    readonly options: ResolvedConformanceOptions,
  ) {}

  /** One behaviour with a fixture of its own. */
  behaviour(title: string, spec: BehaviourSpec, body: BehaviourBody): void {
    it.skipIf(spec.when === false)(
      title,
      async (context) => {
        const fixture = await this.openFixture();
        try {
          const reason = unmetReason(fixture.provider.capabilities, spec);
          if (reason) context.skip(reason);
          await body(fixture);
        } finally {
          await fixture.cleanup?.();
        }
      },
      this.timeoutOf(spec),
    );
  }

  /**
   * Behaviours sharing one fixture that `seed` fills once (the 2,500-key listing would be too slow to
   * rebuild per behaviour). The behaviours must only read.
   */
  sharedGroup(
    title: string,
    spec: BehaviourSpec,
    seed: (fixture: Fixture) => Promise<void>,
    define: (group: SharedGroup) => void,
  ): void {
    describe.skipIf(spec.when === false)(title, () => {
      let fixture: Fixture | undefined;
      let groupReason: string | undefined;
      beforeAll(
        async () => {
          fixture = await this.openFixture();
          groupReason = unmetReason(fixture.provider.capabilities, spec);
          if (!groupReason) await seed(fixture);
        },
        this.timeoutOf({ slow: true }),
      );
      afterAll(async () => {
        await fixture?.cleanup?.();
      });
      define({
        behaviour: (behaviourTitle, behaviourSpec, body) => {
          it.skipIf(behaviourSpec.when === false)(
            behaviourTitle,
            async (context) => {
              if (!fixture) throw new Error(`The fixture of "${title}" was not built`);
              const reason = groupReason ?? unmetReason(fixture.provider.capabilities, behaviourSpec);
              if (reason) context.skip(reason);
              await body(fixture);
            },
            this.timeoutOf(behaviourSpec),
          );
        },
      });
    });
  }

  private timeoutOf(spec: BehaviourSpec): number {
    return spec.slow ? this.options.timeoutMs * 4 : this.options.timeoutMs;
  }

  private async openFixture(): Promise<Fixture> {
    const made = await this.makeProvider();
    const baseKey = made.base.key === '' || made.base.key.endsWith('/') ? made.base.key : `${made.base.key}/`;
    const base = withKey(made.base, baseKey);
    return {
      ...made,
      base,
      baseKey,
      at: (key) => withKey(base, baseKey + key),
      relative: (fullKey) => {
        if (!fullKey.startsWith(baseKey)) throw new Error(`Key "${fullKey}" is not under "${baseKey}"`);
        return fullKey.slice(baseKey.length);
      },
    };
  }
}

function unmetReason(capabilities: Readonly<Capabilities>, spec: BehaviourSpec): string | undefined {
  const missing = (spec.needs ?? []).filter((name) => !capabilities[name]);
  if (missing.length > 0) return `provider lacks ${missing.join(', ')}`;
  const present = (spec.lacks ?? []).filter((name) => capabilities[name]);
  if (present.length > 0) return `provider has ${present.join(', ')}`;
  return undefined;
}
