import {
  parseUri,
  type ReadPlan,
  type ReadRequest,
  type ReadRouter,
  redactSecrets,
  type StorageUri,
  throwIfAborted,
  type UriLike,
} from '@stowage/core';
import { fixedCredentialFacts } from './credential-availability.js';
import { DownloadCapError, DownloadMeter, type DownloadReservation } from './download-meter.js';
import { type FallbackAdvice, type FallbackContext, shouldFallBack } from './fallback.js';
import {
  type CredentialsProbe,
  type DataLocator,
  type EnvironmentProbe,
  fixedEnvironment,
} from './probes.js';
import { planRead } from './read-plans.js';
import type { RouteReason } from './reason-codes.js';
import type { RouteDecision } from './route-decision.js';
import type { BucketFacts, CredentialFacts, EnvironmentFacts, RouteFacts } from './route-facts.js';
import { type ResolvedRoutePolicy, type RoutePolicy, resolveRoutePolicy } from './route-policy.js';
import {
  divertToMirror,
  explainFacts,
  nextNeededFact,
  type RuleStep,
  type RuleTrace,
} from './route-rules.js';
import { StaticDataLocator } from './static-data-locator.js';

/** What an {@link S3Router} is built from; every probe is optional and injectable. */
export interface S3RouterOptions {
  /** Where this process runs. Default: none configured, which reads as "unknown" (→ HTTP). */
  environment?: EnvironmentProbe;
  /** Where objects live and their mirrors. Default: no mirrors, no bucket facts. */
  locator?: DataLocator;
  /** Whether AWS credentials resolve (see `credentialAvailability`). Default: none. */
  credentials?: CredentialsProbe;
  /** Policy defaults; each call may override fields. */
  policy?: RoutePolicy;
  /** The Storage's download meter. Default: a new one. */
  meter?: DownloadMeter;
}

/** Per-call options. */
export interface DecideOptions {
  /** Object size in bytes (from a stat or a catalog), for the cap and the cost estimate. */
  size?: number;
  /** Checked between fact probes; the probes themselves are shared and cached, so they are not cancelled. */
  signal?: AbortSignal;
}

/** What `explainRoute` returns for `stowage plan`: the decision (or refusal) and every rule's outcome. */
export interface RouteExplanation {
  /** The URI asked about. */
  requested: string;
  /** The decision, unless the read was refused. */
  decision?: RouteDecision;
  /** Why no route is allowed (what `decide` would throw as `RouteRefusedError`). */
  refused?: {
    /** The error code (`PermissionDenied`). */
    code: string;
    /** The refusal in one sentence. */
    message: string;
    /** What to change to get a route. */
    hint?: string;
    /** The reasons, deciding one first. */
    reasons: RouteReason[];
  };
  /** Every rule of the table, in order, with the facts it looked at. */
  steps: RuleStep[];
  /** The facts gathered for the decision. */
  facts: RouteFacts;
  /** The policy applied, defaults filled in. */
  policy: ResolvedRoutePolicy;
}

/** A decision admitted under the download cap, with the reservation the transfer must settle. */
export interface Admission {
  /** The decision to follow (re-routed to the mirror when the cap sent it there). */
  decision: RouteDecision;
  /** `record` bytes as they move, then `commit` on success or `release` on failure. */
  reservation: DownloadReservation;
}

/**
 * Decides, per object, whether to read from S3 or the HTTPS mirror — one per Storage, given as its
 * read router (`createStorage({ readRouter })`): it claims `s3://` sources, plans each copy's read
 * (the route, a requester-paying source, a reservation under the download cap) and proposes the
 * mirror after an S3 failure. Facts are gathered lazily and only when a rule needs them: the
 * environment once per router, bucket facts once per bucket, credentials once. The decision itself
 * is the pure `route()`.
 */
export class S3Router implements ReadRouter<RouteExplanation> {
  /** Counts metered bytes against the download cap, across every transfer of the Storage. */
  readonly meter: DownloadMeter;
  private readonly environmentProbe: EnvironmentProbe;
  private readonly locator: DataLocator;
  private readonly credentialsProbe: CredentialsProbe;
  private readonly policy: RoutePolicy;
  private environmentFacts: Promise<EnvironmentFacts> | undefined;
  private credentialFacts: Promise<CredentialFacts> | undefined;
  private readonly buckets = new Map<string, Promise<BucketFacts>>();

  constructor(options: S3RouterOptions = {}) {
    this.environmentProbe =
      options.environment ??
      fixedEnvironment({ cloud: 'unknown', source: 'default', detail: 'no environment probe configured' });
    this.locator = options.locator ?? new StaticDataLocator();
    this.credentialsProbe =
      options.credentials ??
      fixedCredentialFacts({ available: false, detail: 'no credential source configured' });
    this.policy = options.policy ?? {};
    this.meter = options.meter ?? new DownloadMeter();
    resolveRoutePolicy(this.policy); // fail early on a bad default policy
  }

  /** Reads of `s3://` objects are routed; writes and other schemes never are. */
  claims(uri: StorageUri): boolean {
    return uri.scheme === 's3';
  }

  /**
   * The read router hook: decide, stat the object when the cap needs its size, reserve it, and
   * hand the engine the route with its meter and its fallback. `request.options` is a {@link RoutePolicy}.
   * @throws RouteRefusedError or DownloadCapError before any byte moves.
   */
  plan(request: ReadRequest): Promise<ReadPlan> {
    return planRead(this, request);
  }

  /** The read router hook of `storage.explainRoute`: {@link explainRoute} with `options` as a {@link RoutePolicy}. */
  explain(uri: StorageUri, options?: object): Promise<RouteExplanation> {
    return this.explainRoute(uri, options as RoutePolicy | undefined);
  }

  /** The policy for one call: `overrides` over the router's defaults, validated. */
  resolvePolicy(overrides?: RoutePolicy): ResolvedRoutePolicy {
    return resolveRoutePolicy(overrides, this.policy);
  }

  /**
   * Decide where to read `uri` from. Writes are never routed: call this for reads only.
   * @throws RouteRefusedError when the policy forbids S3 and there is no mirror.
   * @throws InvalidArgumentError for a URI that is neither s3:// nor http(s)://, or a bad policy.
   */
  async decide(uri: UriLike, policy?: RoutePolicy, options: DecideOptions = {}): Promise<RouteDecision> {
    const { trace } = await this.run(uri, this.resolvePolicy(policy), options);
    if (trace.refused) throw trace.refused;
    return trace.decision!;
  }

  /** Decide and show the work: every rule, the facts it read, the decision or refusal. Never throws for a refusal. */
  async explainRoute(
    uri: UriLike,
    policy?: RoutePolicy,
    options: DecideOptions = {},
  ): Promise<RouteExplanation> {
    const resolved = this.resolvePolicy(policy);
    const { facts, trace } = await this.run(uri, resolved, options);
    const explanation: RouteExplanation = {
      requested: facts.data.requested,
      steps: trace.steps,
      facts,
      policy: resolved,
    };
    if (trace.decision) explanation.decision = trace.decision;
    if (trace.refused) {
      explanation.refused = {
        code: trace.refused.code,
        message: trace.refused.message,
        reasons: [...trace.refused.reasons],
      };
      if (trace.refused.hint) explanation.refused.hint = trace.refused.hint;
    }
    return explanation;
  }

  private async run(
    uri: UriLike,
    policy: ResolvedRoutePolicy,
    options: DecideOptions,
  ): Promise<{ facts: RouteFacts; trace: RuleTrace }> {
    const facts = await this.gatherFacts(uri, policy, options);
    return { facts, trace: explainFacts(facts, policy) };
  }

  /**
   * Decide, then reserve the object's bytes under the download cap before any byte moves. Over the
   * cap, `capAction: 'http'` re-routes to the mirror (reason `CAP_WOULD_EXCEED`); otherwise this throws.
   * @throws DownloadCapError (a `DownloadCapExceededError`) when the cap forbids the read.
   */
  async admit(uri: UriLike, policy?: RoutePolicy, options: DecideOptions = {}): Promise<Admission> {
    const resolved = this.resolvePolicy(policy);
    const decision = await this.decide(uri, resolved, options);
    const size = options.size ?? decision.size;
    try {
      return { decision, reservation: this.meter.reserve(size, decision, resolved) };
    } catch (error) {
      if (!(error instanceof DownloadCapError) || resolved.capAction !== 'http') throw error;
      const diverted = divertToMirror(
        decision,
        'CAP_WOULD_EXCEED',
        `${error.message}; reading the HTTPS mirror instead`,
      );
      if (!diverted) throw error;
      return { decision: diverted, reservation: this.meter.reserve(size, diverted, resolved) };
    }
  }

  /** The runtime fallback table (see `shouldFallBack`) under this router's policy defaults. */
  shouldFallBack(
    error: unknown,
    decision: RouteDecision,
    policy?: RoutePolicy,
    context?: FallbackContext,
  ): FallbackAdvice {
    return shouldFallBack(error, decision, this.resolvePolicy(policy), context);
  }

  /** Gather exactly the facts the rule table needs for `uri`, probing lazily and from the caches. */
  async gatherFacts(uri: UriLike, policy?: RoutePolicy, options: DecideOptions = {}): Promise<RouteFacts> {
    const resolved = this.resolvePolicy(policy);
    const data = await this.locator.locate(parseUri(uri));
    const facts: RouteFacts = { data: options.size === undefined ? data : { ...data, size: options.size } };
    for (let need = nextNeededFact(facts, resolved); need; need = nextNeededFact(facts, resolved)) {
      throwIfAborted(options.signal);
      if (need === 'environment') facts.environment = await this.environment();
      else if (need === 'credentials') facts.credentials = await this.credentials();
      else facts.bucket = await this.bucketFacts(facts.data.s3!.bucket);
    }
    return facts;
  }

  /** Where this process runs; probed once per router (a failed probe reads as `unknown`). */
  environment(): Promise<EnvironmentFacts> {
    this.environmentFacts ??= this.environmentProbe.probe().catch((error: unknown) => ({
      cloud: 'unknown' as const,
      source: 'error',
      detail: `environment probe failed: ${redactSecrets((error as Error).message)}`,
    }));
    return this.environmentFacts;
  }

  /** Whether AWS credentials resolve; checked once per router. */
  credentials(): Promise<CredentialFacts> {
    this.credentialFacts ??= this.credentialsProbe.check().catch((error: unknown) => ({
      available: false,
      detail: `credentials probe failed: ${redactSecrets((error as Error).message)}`,
    }));
    return this.credentialFacts;
  }

  /** What is known about a bucket; asked once per bucket (a failed probe reads as unknown). */
  bucketFacts(bucket: string): Promise<BucketFacts> {
    let facts = this.buckets.get(bucket);
    if (!facts) {
      facts = this.locator.bucketFacts(bucket).catch((error: unknown) => ({
        bucket,
        regionSource: 'unknown',
        detail: `bucket probe failed: ${redactSecrets((error as Error).message)}`,
      }));
      this.buckets.set(bucket, facts);
    }
    return facts;
  }

  /** Record a region learnt at run time (a 301 or `x-amz-bucket-region`), so the next decision uses it. */
  learnBucketRegion(bucket: string, region: string, source = 'redirect'): void {
    const previous = this.buckets.get(bucket);
    this.buckets.set(
      bucket,
      (previous ?? Promise.resolve({ bucket, regionSource: 'unknown' } as BucketFacts)).then((facts) => ({
        ...facts,
        region,
        regionSource: source,
      })),
    );
  }

  /** Drop what is cached about a bucket; the next decision asks the locator again. */
  forgetBucket(bucket: string): void {
    this.buckets.delete(bucket);
  }
}
