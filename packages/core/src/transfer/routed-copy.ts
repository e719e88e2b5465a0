import { isAbortError, toAbortedError } from '../errors/abort.js';
import type { ObjectStat, Provider } from '../provider/provider.js';
import {
  type ReadPlan,
  type ReadRecovery,
  type ReadRequest,
  type ReadRouter,
  readRouteOf,
} from '../storage/read-router.js';
import { formatUri, type StorageUri } from '../uri/storage-uri.js';
import type { CopyEnds } from './copy-ends.js';
import { type CopyInternals, copyObject } from './copy-object.js';
import type { CopyOptions, CopyResult } from './copy-options.js';
import type { TransferContext } from './transfer.js';
import { failureOf } from './transfer-events.js';

/** What a routed copy needs from the storage. */
export interface RoutedCopyInput {
  /** Plans the read and meters it. */
  router: ReadRouter;
  /** The object asked for. */
  source: StorageUri;
  /** The object to create or replace (never routed). */
  destination: StorageUri;
  /** Resolve providers for a pair of URIs (a plan may switch the source, e.g. to a mirror). */
  ends(source: StorageUri, destination: StorageUri): CopyEnds;
  /** The copy's options, as for an unrouted copy. */
  options: CopyOptions;
  /** The tree's knobs when the copy is a tree member (its listing's stat, its EMFILE handling). */
  internals?: CopyInternals;
}

/** Rounds of recovery one copy may go through (each proposed by the router) before it gives up. */
const MAX_RECOVERIES = 8;

/**
 * Copy an object along the route its Storage's read router plans. The plan is emitted as `routed`
 * before any byte moves; the bytes the engine moves feed the plan's meter (a meter that refuses
 * more stops the copy, which then fails with the meter's error unless the router recovers); after
 * a failure the router may propose another route (a `warning`, then `routed` again). The source is
 * stat'ed at most once: a stat the router asked for is handed to the copy.
 */
export async function routedCopy(input: RoutedCopyInput, context: TransferContext): Promise<CopyResult> {
  const { router, source, destination, options, internals = {} } = input;
  const { signal } = context;
  const stats = new Map<string, Promise<ObjectStat>>();
  if (internals.sourceStat) stats.set(formatUri(source), Promise.resolve(internals.sourceStat));
  const request: ReadRequest = {
    source,
    ...(options.route ? { options: options.route } : {}),
    signal,
    stat(uri, via) {
      const key = formatUri(uri);
      let known = stats.get(key);
      if (!known) {
        const provider = input.ends(uri, destination).sourceProvider;
        known = (via ? via(provider) : provider).stat(uri, { signal });
        stats.set(key, known);
      }
      return known;
    },
  };
  let plan: ReadPlan;
  try {
    plan = await router.plan(request);
  } catch (error) {
    return fail(error);
  }
  for (let recoveries = 0; ; recoveries++) {
    const route = readRouteOf(plan, source);
    context.emit({ type: 'routed', ...route, ...reasonLines(route.reasons) });
    const attempt = await readOnce(input, plan, stats, context);
    if (attempt.ok) return { ...attempt.result, decision: route };
    const { error } = attempt;
    if (signal.aborted || isAbortError(error))
      return fail(signal.aborted ? toAbortedError(signal.reason) : error);
    // A stat that failed may succeed on the next route (refreshed credentials, another region).
    for (const [key, known] of stats)
      if (
        await known.then(
          () => false,
          () => true,
        )
      )
        stats.delete(key);
    let recovery: ReadRecovery | undefined;
    try {
      recovery = recoveries < MAX_RECOVERIES ? await plan.recover?.(error) : undefined;
    } catch (refused) {
      return fail(refused);
    }
    if (!recovery) return fail(error);
    context.emit({ type: 'warning', code: recovery.warning.code, message: recovery.warning.message });
    plan = recovery.plan;
  }

  function fail(error: unknown): never {
    if (!internals.willRetry?.(error)) context.emit({ type: 'failed', error: failureOf(error) });
    throw error;
  }
}

/** `reasons` as `CODE: sentence` lines and the codes alone, as `routed` events carry them. */
function reasonLines(reasons: ReadPlan['reasons']) {
  return {
    reasons: reasons.map((r) => `${r.code}: ${r.message}`),
    reasonCodes: reasons.map((r) => r.code),
  };
}

type Attempt = { ok: true; result: CopyResult } | { ok: false; error: unknown };

/**
 * One read along `plan`: the engine's moved bytes go to the plan's meter, which settles once. A
 * meter that throws cancels the copy through its own signal; that error is the attempt's failure.
 */
async function readOnce(
  input: RoutedCopyInput,
  plan: ReadPlan,
  stats: Map<string, Promise<ObjectStat>>,
  context: TransferContext,
): Promise<Attempt> {
  const { meter } = plan;
  const stop = new AbortController();
  let stopped: unknown;
  let moved = 0;
  const ends = input.ends(plan.source, input.destination);
  const sourceProvider: Provider = plan.via ? plan.via(ends.sourceProvider) : ends.sourceProvider;
  const known = stats.get(formatUri(plan.source));
  try {
    const sourceStat = known ? await known : undefined;
    // The tree's stat is of the object asked for; it reaches the copy through `stats` when read.
    const { sourceStat: _listed, willRetry: _later, ...treeKnobs } = input.internals ?? {};
    const result = await copyObject(
      { ...ends, sourceProvider },
      input.options,
      { ...context, signal: AbortSignal.any([context.signal, stop.signal]) },
      {
        ...treeKnobs,
        ...(sourceStat ? { sourceStat } : {}),
        route: plan.route,
        // The copy's failure is reported by the routed copy once it gives up: the router may recover.
        willRetry: () => true,
        onMoved(bytes) {
          moved += bytes;
          if (!meter || stopped !== undefined) return;
          try {
            meter.record(bytes);
          } catch (error) {
            stopped = error;
            stop.abort(error);
          }
        },
      },
    );
    meter?.commit(moved);
    return { ok: true, result };
  } catch (error) {
    meter?.release();
    return { ok: false, error: stopped ?? error };
  }
}
