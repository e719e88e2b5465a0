import { isAbortError, toAbortedError } from '../errors/abort.js';
import { decorateProvider } from '../layers/layer.js';
import type { DownloadReservation } from '../router/download-meter.js';
import type { RouteDecision } from '../router/route-decision.js';
import type { RoutePolicy } from '../router/route-policy.js';
import type { Router } from '../router/router.js';
import { parseUri, type StorageUri } from '../uri/storage-uri.js';
import { type CopyEnds, copyObject } from './copy-object.js';
import type { CopyOptions, CopyResult } from './copy-options.js';
import type { TransferContext } from './transfer.js';
import { failureOf } from './transfer-events.js';

/** What a routed copy needs from the storage. */
export interface RoutedCopyInput {
  /** Decides the route and meters the download cap. */
  router: Router;
  /** The `s3://` object asked for. */
  source: StorageUri;
  /** The object to create or replace (never routed). */
  destination: StorageUri;
  /** Resolve providers for a pair of URIs (the decision may switch the source to the mirror). */
  ends(source: StorageUri, destination: StorageUri): CopyEnds;
  /** The copy's options, as for an unrouted copy. */
  options: CopyOptions;
  /** Overrides of the router's policy for this copy. */
  policy?: RoutePolicy;
}

function routedEvent(decision: RouteDecision) {
  return {
    type: 'routed' as const,
    route: decision.route,
    uri: decision.uri,
    requested: decision.requested,
    reasons: decision.reasons.map((r) => `${r.code}: ${r.message}`),
    reasonCodes: decision.reasons.map((r) => r.code),
    warnings: decision.warnings,
    requesterPays: decision.requesterPays,
    metered: decision.metered,
    ...(decision.costEstimate ? { costEstimate: decision.costEstimate } : {}),
  };
}

/**
 * Copy a readable S3 object along the route the router chose: S3 or its HTTPS mirror. The decision
 * is emitted as `routed` before any byte moves; metered bytes are reserved under the download cap
 * first (over the cap the copy fails with `DownloadCapExceededError`, or reads the mirror when the
 * policy says so). An S3 failure the fallback table allows is retried once over HTTP, with a
 * `warning` event. Writes are never routed.
 */
export async function routedCopy(input: RoutedCopyInput, context: TransferContext): Promise<CopyResult> {
  const { router, source, destination, options, policy } = input;
  const { signal } = context;
  let decision = await router
    .decide(source, policy, { signal })
    .catch((error) => failBeforeStart(error, context));
  let size: number | undefined;
  if (decision.route === 's3' && decision.metered) {
    // The cap needs the size before any byte moves; a failing stat leaves it unknown.
    size = await input
      .ends(source, destination)
      .sourceProvider.stat(source, { signal })
      .then((s) => s.size)
      .catch(() => undefined);
  }
  let reservation: DownloadReservation;
  ({ decision, reservation } = await router
    .admit(source, policy, { signal, ...(size === undefined ? {} : { size }) })
    .catch((error) => failBeforeStart(error, context)));
  context.emit(routedEvent(decision));

  const state = { credentialsRefreshed: false, redecided: false };
  for (;;) {
    const from = parseUri(decision.uri);
    let previous = 0;
    const metering: TransferContext = {
      ...context,
      emit(event) {
        if (event.type === 'progress') {
          reservation.record(event.bytes - previous);
          previous = event.bytes;
        }
        context.emit(event);
      },
    };
    try {
      const result = await copyObject(
        payingEnds(input.ends(from, destination), decision),
        options,
        metering,
        {
          route: decision.route,
        },
      );
      reservation.commit(result.bytes);
      return { ...result, decision };
    } catch (error) {
      reservation.release();
      if (signal.aborted || isAbortError(error)) throw signal.aborted ? toAbortedError(signal.reason) : error;
      const advice = router.shouldFallBack(error, decision, policy, { operation: 'read', ...state });
      if (advice.action === 'throw') throw error;
      context.emit({
        type: 'warning',
        code: advice.action === 'fallback' ? advice.code : advice.action.toUpperCase(),
        message: advice.warning,
      });
      if (advice.action === 'fallback') {
        decision = advice.decision;
      } else if (advice.action === 'redecide') {
        state.redecided = true;
        router.learnBucketRegion(advice.bucket, advice.region);
        decision = await router.decide(source, policy, { signal });
      } else {
        state.credentialsRefreshed = true;
      }
      ({ decision, reservation } = await admitDecided(router, decision, policy, size));
      context.emit(routedEvent(decision));
    }
  }
}

/** The ends with a source that sends the requester-pays agreement on every read, when the decision says so. */
function payingEnds(ends: CopyEnds, decision: RouteDecision): CopyEnds {
  if (decision.route !== 's3' || !decision.requesterPays) return ends;
  const sp = ends.sourceProvider;
  const paying = decorateProvider(sp, {
    stat: (uri, o) => sp.stat(uri, { ...o, requesterPays: true }),
    read: (uri, o) => sp.read(uri, { ...o, requesterPays: true }),
  });
  return { ...ends, sourceProvider: paying };
}

/** Reserve for a decision already made (after a fallback the mirror is unmetered; after a re-decision it may not be). */
async function admitDecided(
  router: Router,
  decision: RouteDecision,
  policy: RoutePolicy | undefined,
  size: number | undefined,
) {
  return { decision, reservation: router.meter.reserve(size, decision, router.resolvePolicy(policy)) };
}

function failBeforeStart(error: unknown, context: TransferContext): never {
  context.emit({ type: 'failed', error: failureOf(error) });
  throw error;
}
