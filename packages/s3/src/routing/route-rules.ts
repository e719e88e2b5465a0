import { estimateCost } from './cost-estimate.js';
import type { ReasonCode, RouteReason } from './reason-codes.js';
import type { RouteDecision, S3Egress } from './route-decision.js';
import type { BucketFacts, EnvironmentFacts, FactKind, RouteFacts, S3Location } from './route-facts.js';
import { type ResolvedRoutePolicy, type RoutePolicy, resolveRoutePolicy } from './route-policy.js';
import { RouteRefusedError } from './route-refused-error.js';

/** The facts, digested once for every rule. Missing facts read as "unknown". */
interface Context {
  facts: RouteFacts;
  policy: ResolvedRoutePolicy;
  s3: S3Location | undefined;
  mirror: string | undefined;
  env: EnvironmentFacts | undefined;
  inAws: boolean;
  userRegion: string | undefined;
  bucket: BucketFacts | undefined;
  bucketRegion: string | undefined;
  sameRegion: boolean;
  regionUnknown: boolean;
  requesterPaysBucket: boolean;
  credentials: boolean;
}

function digest(facts: RouteFacts, policy: ResolvedRoutePolicy): Context {
  const env = facts.environment;
  const inAws = env?.cloud === 'aws';
  const userRegion = inAws ? env?.region || undefined : undefined;
  const bucketRegion = facts.bucket?.region || undefined;
  return {
    facts,
    policy,
    s3: facts.data.s3,
    mirror: facts.data.mirror?.url,
    env,
    inAws,
    userRegion,
    bucket: facts.bucket,
    bucketRegion,
    // An unknown region never counts as a match.
    sameRegion: userRegion !== undefined && bucketRegion !== undefined && userRegion === bucketRegion,
    regionUnknown: inAws && (userRegion === undefined || bucketRegion === undefined),
    requesterPaysBucket: facts.bucket?.requesterPays === true,
    credentials: facts.credentials?.available === true,
  };
}

/** What one rule leads to: a decision, or a refusal when the policy forbids S3 and no mirror exists. */
type Outcome = { decision: RouteDecision } | { refused: RouteRefusedError };

interface Rule {
  code: ReasonCode;
  /** Facts this rule reads; a lazy gatherer fetches them before testing the rule. */
  needs(c: Context): FactKind[];
  /** Facts the rule's decision reads once it matched (S3 instead of a missing mirror). */
  decideNeeds?(c: Context): FactKind[];
  test(c: Context): boolean;
  /** One sentence about the facts the rule looked at (shown whether it matched or not). */
  describe(c: Context): string;
  decide(c: Context, reason: RouteReason): Outcome;
}

const userWhere = (c: Context) =>
  c.userRegion ? `running in ${c.userRegion} (${c.env?.source})` : 'running in an unknown AWS region';
const bucketWhere = (c: Context) =>
  c.bucketRegion
    ? `bucket ${c.s3?.bucket} is in ${c.bucketRegion} (${c.bucket?.regionSource})`
    : `bucket ${c.s3?.bucket}'s region is unknown`;
const credsWhat = (c: Context) =>
  c.credentials
    ? `AWS credentials resolve (${c.facts.credentials?.source ?? 'unknown source'})`
    : 'no AWS credentials resolve';
/** Facts needed to read S3 instead when a rule wants HTTP but there is no mirror. */
const noMirrorNeeds = (c: Context): FactKind[] => (c.mirror ? [] : ['bucket', 'credentials']);

function egressOf(c: Context, sameByDesign = false): S3Egress {
  if (!c.inAws) return 'internet';
  return c.sameRegion || sameByDesign ? 'same-region' : 'cross-region';
}

function s3Decision(
  c: Context,
  reasons: RouteReason[],
  opts: { requesterPays: boolean; egress: S3Egress; warnings?: string[] },
): RouteDecision {
  const s3 = c.s3!;
  const metered = opts.egress !== 'same-region' || opts.requesterPays;
  const size = c.facts.data.size;
  const decision: RouteDecision = {
    route: 's3',
    uri: s3.uri,
    requested: c.facts.data.requested,
    requesterPays: opts.requesterPays,
    egress: opts.egress,
    metered,
    reasons,
    warnings: opts.warnings ?? [],
    facts: c.facts,
  };
  if (c.mirror && c.policy.fallback === 'http') decision.fallback = { route: 'http', uri: c.mirror };
  if (size !== undefined) decision.size = size;
  const cost = estimateCost(
    { egress: opts.egress, requesterPays: opts.requesterPays, metered, size },
    c.policy.costPerGiB,
  );
  if (cost) decision.costEstimate = cost;
  return decision;
}

function httpDecision(
  c: Context,
  uri: string,
  reasons: RouteReason[],
  warnings: string[] = [],
): RouteDecision {
  const decision: RouteDecision = {
    route: 'http',
    uri,
    requested: c.facts.data.requested,
    requesterPays: false,
    metered: false,
    reasons,
    warnings,
    facts: c.facts,
  };
  if (c.facts.data.size !== undefined) decision.size = c.facts.data.size;
  return decision;
}

const withRegionNote = (c: Context, reason: RouteReason): RouteReason[] =>
  c.regionUnknown
    ? [
        reason,
        {
          code: 'REGION_UNKNOWN',
          message: `${userWhere(c)} and ${bucketWhere(c)}; an unknown region never counts as the same region`,
        },
      ]
    : [reason];

/**
 * The rule wants HTTP. With a mirror, that is the decision. Without one, S3 is the only way to
 * the bytes: use it when nothing forbids it (warning, metered), else refuse.
 */
function toMirror(c: Context, reasons: RouteReason[], warnings: string[] = []): Outcome {
  if (c.mirror) return { decision: httpDecision(c, c.mirror, reasons, warnings) };
  const deciding = reasons[0]!;
  const s3 = c.s3!;
  const noMirror: RouteReason = { code: 'NO_HTTP_MIRROR', message: `${s3.uri} has no HTTPS mirror` };
  const refuse = (why: string, hint: string) => ({
    refused: new RouteRefusedError(
      `No allowed route to ${s3.uri}: ${why}, and it has no HTTPS mirror`,
      [...reasons, noMirror],
      {
        uri: s3.uri,
        hint,
      },
    ),
  });
  const mirrorHint = 'Add a mirror mapping for this bucket (s3://bucket/prefix ↔ https://mirror/prefix)';
  if (deciding.code === 'CROSS_REGION_NOT_ALLOWED' || deciding.code === 'REQUESTER_PAYS_NOT_ALLOWED') {
    return refuse(deciding.message, `${mirrorHint}, or change the route policy.`);
  }
  if (c.requesterPaysBucket && !c.credentials) {
    return refuse(
      `bucket ${s3.bucket} is requester pays and no AWS credentials resolve`,
      `${mirrorHint}, or configure AWS credentials.`,
    );
  }
  if (c.requesterPaysBucket && !c.policy.allowRequesterPays) {
    return refuse(
      `bucket ${s3.bucket} is requester pays and the policy does not allow requester pays`,
      `${mirrorHint}, or set allowRequesterPays.`,
    );
  }
  const egress = egressOf(c);
  const warning =
    egress === 'internet'
      ? `${s3.uri} has no HTTPS mirror; reading it from S3 over the internet (egress billed to ${c.requesterPaysBucket ? 'you' : 'the bucket owner'}, counted against the download cap)`
      : `${s3.uri} has no HTTPS mirror; reading it from S3 across regions (counted against the download cap)`;
  return {
    decision: s3Decision(c, [...reasons, noMirror], {
      requesterPays: c.requesterPaysBucket,
      egress,
      warnings: [...warnings, warning],
    }),
  };
}

/**
 * The seed's tracking tree as a table (`cloud-access.md` §7); the first rule that matches decides.
 * Order matters: cheap facts (the mapping, the environment) come before network facts (bucket
 * region, credentials), so a lazy gatherer asks as little as possible.
 */
const RULES: readonly Rule[] = [
  {
    code: 'PREFER_HTTP',
    needs: () => [],
    test: (c) => c.policy.preferHttp && c.mirror !== undefined,
    describe: (c) =>
      `policy preferHttp=${c.policy.preferHttp}; ${c.mirror ? `mirror ${c.mirror} (${c.facts.data.mirror?.source})` : 'no HTTPS mirror'}`,
    decide: (c, reason) => toMirror(c, [reason]),
  },
  {
    code: 'DATA_NOT_IN_CLOUD',
    needs: () => [],
    test: (c) => c.s3 === undefined,
    describe: (c) => (c.s3 ? `S3 location ${c.s3.uri}` : `${c.facts.data.requested} has no S3 location`),
    decide: (c, reason) => ({ decision: httpDecision(c, c.mirror ?? c.facts.data.requested, [reason]) }),
  },
  {
    code: 'USER_NOT_IN_CLOUD',
    needs: () => ['environment'],
    decideNeeds: noMirrorNeeds,
    test: (c) => !c.inAws,
    describe: (c) =>
      c.env
        ? `cloud=${c.env.cloud} (${c.env.source}${c.env.detail ? `: ${c.env.detail}` : ''})`
        : 'the environment was not probed',
    decide: (c, reason) => {
      const warnings =
        c.env?.cloud === 'unknown'
          ? [
              `Could not tell whether this runs in AWS (${c.env.detail ?? c.env.source}); routing as outside AWS`,
            ]
          : [];
      return toMirror(c, [reason], warnings);
    },
  },
  {
    code: 'PLATFORM_ACCOUNT',
    needs: (c) => (c.env?.platform ? ['environment', 'bucket'] : ['environment']),
    test: (c) => {
      const p = c.env?.platform;
      if (!p || !c.s3) return false;
      if (p.buckets && !p.buckets.includes(c.s3.bucket)) return false;
      return p.regionLocked === undefined || (c.userRegion !== undefined && p.regionLocked === c.userRegion);
    },
    describe: (c) => {
      const p = c.env?.platform;
      if (!p) return 'not a platform account';
      const serves = !p.buckets || (c.s3 !== undefined && p.buckets.includes(c.s3.bucket));
      const lock = p.regionLocked ? `, locked to ${p.regionLocked} (${userWhere(c)})` : '';
      return `platform account "${p.name}" ${serves ? 'serves' : 'does not serve'} bucket ${c.s3?.bucket}${lock}`;
    },
    decide: (c, reason) => ({
      decision: s3Decision(c, [reason], { requesterPays: c.requesterPaysBucket, egress: egressOf(c, true) }),
    }),
  },
  {
    code: 'SAME_REGION',
    needs: (c) => (c.sameRegion && c.requesterPaysBucket ? ['bucket', 'credentials'] : ['bucket']),
    test: (c) => c.sameRegion && (!c.requesterPaysBucket || (c.credentials && c.policy.allowRequesterPays)),
    describe: (c) =>
      `${userWhere(c)} and ${bucketWhere(c)}${c.requesterPaysBucket ? ' (requester pays)' : ''}`,
    decide: (c, reason) => ({
      decision: s3Decision(c, [reason], { requesterPays: c.requesterPaysBucket, egress: 'same-region' }),
    }),
  },
  {
    code: 'REQUESTER_PAYS_NOT_ALLOWED',
    needs: () => ['bucket'],
    decideNeeds: (c) => ['credentials', ...noMirrorNeeds(c)],
    test: (c) => c.sameRegion && c.requesterPaysBucket,
    describe: (c) =>
      c.requesterPaysBucket
        ? `bucket ${c.s3?.bucket} is requester pays (${c.bucket?.requesterPaysSource}); ${credsWhat(c)}; allowRequesterPays=${c.policy.allowRequesterPays}`
        : `bucket ${c.s3?.bucket} is not known to be requester pays`,
    decide: (c, reason) =>
      toMirror(
        c,
        [reason],
        [
          `Bucket ${c.s3?.bucket} is requester pays and ${c.credentials ? 'the policy does not allow requester pays' : 'no AWS credentials resolve'}; using the HTTPS mirror`,
        ],
      ),
  },
  {
    code: 'CROSS_REGION_ANONYMOUS',
    needs: () => ['bucket', 'credentials'],
    decideNeeds: noMirrorNeeds,
    test: (c) => !c.credentials,
    describe: (c) => `${userWhere(c)}, ${bucketWhere(c)}; ${credsWhat(c)}`,
    decide: (c, reason) => toMirror(c, withRegionNote(c, reason)),
  },
  {
    code: 'CROSS_REGION_REQUESTER_PAYS',
    needs: () => ['bucket', 'credentials'],
    test: (c) => c.credentials && c.policy.allowCrossRegion && c.policy.allowRequesterPays,
    describe: (c) =>
      `${credsWhat(c)}; allowCrossRegion=${c.policy.allowCrossRegion}, allowRequesterPays=${c.policy.allowRequesterPays}`,
    decide: (c, reason) => ({
      decision: s3Decision(c, withRegionNote(c, reason), { requesterPays: true, egress: egressOf(c) }),
    }),
  },
  {
    code: 'CROSS_REGION_NOT_ALLOWED',
    needs: () => ['bucket', 'credentials'],
    decideNeeds: noMirrorNeeds,
    test: () => true,
    describe: (c) =>
      `${userWhere(c)}, ${bucketWhere(c)}; the policy does not allow ${c.policy.allowCrossRegion ? 'requester pays' : 'cross-region reads'}`,
    decide: (c, reason) =>
      toMirror(c, withRegionNote(c, reason), [
        `${c.s3?.uri} is in another region (or one that could not be determined) and the policy does not allow ${c.policy.allowCrossRegion ? 'requester pays' : 'cross-region S3 reads'}; using the HTTPS mirror`,
      ]),
  },
];

/** How one rule fared, for {@link explainFacts}. */
export interface RuleStep {
  /** The rule, by the reason code it gives when it decides. */
  code: ReasonCode;
  /** `matched` (this rule decided), `no match`, or `not reached` (an earlier rule decided). */
  outcome: 'matched' | 'no match' | 'not reached';
  /** The facts the rule looked at, in one sentence (empty when not reached). */
  facts: string;
}

/** A decision (or refusal) with the trace of every rule. */
export interface RuleTrace {
  /** The decision; exactly one of `decision` and `refused` is set. */
  decision?: RouteDecision;
  /** Set when no route is allowed; `route()` throws it. */
  refused?: RouteRefusedError;
  /** Every rule, in table order. */
  steps: RuleStep[];
}

function finish(c: Context, outcome: Outcome): Outcome {
  if (!('decision' in outcome)) return outcome;
  const d = outcome.decision;
  if (c.policy.preferHttp && !c.mirror && c.s3)
    d.warnings.push(`preferHttp is set but ${c.s3.uri} has no HTTPS mirror`);
  return outcome;
}

/**
 * Run the rule table over the facts and record every rule's outcome. Pure and synchronous.
 * Facts that are missing count as unknown (an unprobed environment is "not in AWS", an unknown
 * bucket region never matches, missing credentials are "none").
 */
export function explainFacts(facts: RouteFacts, policy: RoutePolicy | ResolvedRoutePolicy = {}): RuleTrace {
  const c = digest(facts, resolveRoutePolicy(policy));
  const steps: RuleStep[] = [];
  let result: Outcome | undefined;
  for (const rule of RULES) {
    if (result) {
      steps.push({ code: rule.code, outcome: 'not reached', facts: '' });
      continue;
    }
    const matched = rule.test(c);
    steps.push({ code: rule.code, outcome: matched ? 'matched' : 'no match', facts: rule.describe(c) });
    if (matched) result = finish(c, rule.decide(c, { code: rule.code, message: rule.describe(c) }));
  }
  // The last rule always matches.
  return 'decision' in result! ? { decision: result.decision, steps } : { refused: result!.refused, steps };
}

/**
 * Decide where to read one object from: the seed's tracking tree, first matching rule wins.
 * Pure and synchronous; all I/O lives in the probes that produced `facts`.
 * @throws RouteRefusedError when the policy forbids S3 and the object has no HTTPS mirror.
 * @throws InvalidArgumentError for a malformed policy.
 */
export function route(facts: RouteFacts, policy: RoutePolicy | ResolvedRoutePolicy = {}): RouteDecision {
  const trace = explainFacts(facts, policy);
  if (trace.refused) throw trace.refused;
  return trace.decision!;
}

/**
 * The next fact the rule table needs before it can decide, or undefined when the facts at hand
 * suffice. A gatherer calls this in a loop, so it probes the environment, the bucket and the
 * credentials only when a rule actually reads them.
 */
export function nextNeededFact(
  facts: RouteFacts,
  policy: RoutePolicy | ResolvedRoutePolicy = {},
): FactKind | undefined {
  const c = digest(facts, resolveRoutePolicy(policy));
  const missing = (kinds: FactKind[]) =>
    kinds.find((kind) => facts[kind] === undefined && (kind !== 'bucket' || c.s3 !== undefined));
  for (const rule of RULES) {
    const before = missing(rule.needs(c));
    if (before) return before;
    if (rule.test(c)) return missing(rule.decideNeeds?.(c) ?? []);
  }
  return undefined;
}

/**
 * The same decision sent to its mirror, with `code` as the new deciding reason: used when the cap
 * would be crossed (`CAP_WOULD_EXCEED`) and for runtime fallback after an S3 failure.
 * Returns undefined when the decision has no mirror to go to.
 */
export function divertToMirror(
  decision: RouteDecision,
  code: ReasonCode,
  message: string,
): RouteDecision | undefined {
  const mirror = decision.fallback?.uri ?? decision.facts.data.mirror?.url;
  if (decision.route === 'http' || !mirror) return undefined;
  const { egress: _e, costEstimate: _c, fallback: _f, ...rest } = decision;
  return {
    ...rest,
    route: 'http',
    uri: mirror,
    requesterPays: false,
    metered: false,
    reasons: [{ code, message }, ...decision.reasons],
    warnings: [...decision.warnings, message],
  };
}
