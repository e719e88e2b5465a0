import { parseUri, type ReadPlan, type ReadRecovery, type ReadRequest } from '@stowage/core';
import type { DownloadReservation } from './download-meter.js';
import type { FallbackContext } from './fallback.js';
import { requesterPaysReads } from './requester-pays-reads.js';
import type { RouteDecision } from './route-decision.js';
import type { ResolvedRoutePolicy, RoutePolicy } from './route-policy.js';
import type { S3Router } from './router.js';

/** What one copy's plans share: the request, its policy, the size, and what recovery already tried. */
interface ReadState {
  router: S3Router;
  request: ReadRequest;
  policy: ResolvedRoutePolicy;
  size: number | undefined;
  tried: Required<Pick<FallbackContext, 'credentialsRefreshed' | 'redecided'>>;
}

/**
 * Plan one copy's read: decide; when the read is metered, stat the object (through the paying
 * source when the decision pays; the engine reuses that stat) so the cap knows its size; reserve
 * it under the cap, which may divert the read to the mirror (`capAction: 'http'`).
 * @throws RouteRefusedError or DownloadCapError before any byte moves.
 */
export async function planRead(router: S3Router, request: ReadRequest): Promise<ReadPlan> {
  const policy = router.resolvePolicy(request.options as RoutePolicy | undefined);
  const { signal } = request;
  const decided = await router.decide(request.source, policy, { signal });
  let size: number | undefined;
  if (decided.route === 's3' && decided.metered) {
    // The cap needs the size before any byte moves; a failing stat leaves it unknown.
    size = await request
      .stat(parseUri(decided.uri), decided.requesterPays ? requesterPaysReads : undefined)
      .then((stat) => stat.size)
      .catch(() => undefined);
  }
  const { decision, reservation } = await router.admit(request.source, policy, {
    signal,
    ...(size === undefined ? {} : { size }),
  });
  const state: ReadState = {
    router,
    request,
    policy,
    size,
    tried: { credentialsRefreshed: false, redecided: false },
  };
  return planOf(state, decision, reservation);
}

/** The engine's view of a decision: route, source, reasons and adapter details, meter, recovery. */
function planOf(state: ReadState, decision: RouteDecision, reservation: DownloadReservation): ReadPlan {
  const details: Record<string, unknown> = {
    requesterPays: decision.requesterPays,
    metered: decision.metered,
    ...(decision.egress ? { egress: decision.egress } : {}),
    ...(decision.costEstimate ? { costEstimate: decision.costEstimate } : {}),
  };
  return {
    route: decision.route,
    source: parseUri(decision.uri),
    reasons: decision.reasons,
    warnings: decision.warnings,
    details,
    ...(decision.route === 's3' && decision.requesterPays ? { via: requesterPaysReads } : {}),
    meter: reservation,
    recover: (error) => recover(state, decision, error),
  };
}

/**
 * The fallback table at run time: after a failed read, read the mirror, decide again with the
 * region S3 named, or retry once after expired credentials; each with a warning. Undefined: give up.
 * @throws DownloadCapError when the new route's bytes do not fit under the cap.
 */
async function recover(
  state: ReadState,
  decision: RouteDecision,
  error: unknown,
): Promise<ReadRecovery | undefined> {
  const { router, request, policy, tried } = state;
  const advice = router.shouldFallBack(error, decision, policy, { operation: 'read', ...tried });
  if (advice.action === 'throw') return undefined;
  let next: RouteDecision;
  if (advice.action === 'fallback') {
    next = advice.decision;
  } else if (advice.action === 'redecide') {
    tried.redecided = true;
    router.learnBucketRegion(advice.bucket, advice.region);
    next = await router.decide(request.source, policy, { signal: request.signal });
  } else {
    tried.credentialsRefreshed = true;
    next = decision;
  }
  const code = advice.action === 'fallback' ? advice.code : advice.action.toUpperCase();
  return {
    plan: planOf(state, next, router.meter.reserve(state.size, next, policy)),
    warning: { code, message: advice.warning },
  };
}
