import type { ObjectStat, Provider } from '../provider/provider.js';
import { displayUri, type StorageUri } from '../uri/storage-uri.js';

/** Why a read goes where it goes: a stable code to match on and one secret-free sentence. */
export interface ReadRouteReason {
  /** Stable code, defined by the router. */
  code: string;
  /** The facts behind it, in one sentence. */
  message: string;
}

/**
 * Where a read goes and why, as `routed` events and copy results report it. JSON-serialisable and
 * secret-free.
 */
export interface ReadRoute {
  /** The route's name, chosen by the router; also the `route` of `started`. */
  route: string;
  /** The URI read, display form: the one asked for, or another (e.g. an HTTPS mirror). */
  uri: string;
  /** The URI the caller asked for, display form. */
  requested: string;
  /** The deciding reason first, then supplementary ones. */
  reasons: readonly ReadRouteReason[];
  /** What the user should know about the route. */
  warnings: readonly string[];
  /** Facts only the router's adapter knows (who pays, whether it is metered, a cost estimate…). */
  details?: Readonly<Record<string, unknown>>;
}

/**
 * Counts the bytes one routed read moves, e.g. against a download cap. The engine feeds it from its
 * own byte accounting (every byte read, a retried part's re-read included; never the throttled
 * `progress` events), then settles it exactly once.
 */
export interface ReadMeter {
  /**
   * Bytes that just moved. Throwing stops the read: the copy is cancelled, nothing partial is
   * kept, and the error becomes the read's failure (offered to {@link ReadPlan.recover}).
   */
  record(bytes: number): void;
  /** The read succeeded after moving `bytes` in all (0 when the copy was skipped). */
  commit(bytes: number): void;
  /** The read failed or was cancelled; the bytes recorded so far still count. */
  release(): void;
}

/** A read's route plus what the engine needs to follow it. */
export interface ReadPlan {
  /** The route's name (see {@link ReadRoute.route}). */
  route: string;
  /** The object to read: the one asked for, or another (the engine resolves its provider by scheme). */
  source: StorageUri;
  /** The deciding reason first, then supplementary ones. */
  reasons: readonly ReadRouteReason[];
  /** What the user should know about the route. */
  warnings: readonly string[];
  /** Adapter-specific facts, JSON-serialisable and secret-free (see {@link ReadRoute.details}). */
  details?: Readonly<Record<string, unknown>>;
  /**
   * Wrap the source's provider for this read, e.g. with one that agrees to pay for the requests.
   * Called with the provider the Storage resolved, layers applied.
   */
  via?: (provider: Provider) => Provider;
  /** Meters the bytes this read moves; without one, nothing is counted. */
  meter?: ReadMeter;
  /**
   * After this read failed (its meter already released), propose another route, with a warning
   * saying why, or give up (undefined: the engine rethrows `error`). Absent: never retried.
   */
  recover?(error: unknown): Promise<ReadRecovery | undefined>;
}

/** Another route to try after a failed read. */
export interface ReadRecovery {
  /** The new plan; it is emitted as `routed` before its first byte. */
  plan: ReadPlan;
  /** Emitted as a `warning` event: a stable code and a secret-free message. */
  warning: { code: string; message: string };
}

/** What a router is asked to plan. */
export interface ReadRequest {
  /** The object the caller asked for. */
  source: StorageUri;
  /** The copy's per-read router options (`CopyOptions.route`), unchecked: the router validates them. */
  options?: object;
  /** Cancels the planning. */
  signal: AbortSignal;
  /**
   * Stat an object through the Storage (with `via` wrapping its provider). The answer is kept and
   * handed to the copy that reads the same object, so a routed copy asks its source once.
   */
  stat(uri: StorageUri, via?: (provider: Provider) => Provider): Promise<ObjectStat>;
}

/**
 * The read-routing hook of a `Storage`: an adapter that knows where its data can also be read
 * (a mirror, a cheaper route) and what a read costs plans each read it claims. Core drives it and
 * knows only that a read may be routed, and why; the rules, facts and prices stay in the adapter.
 * `E` is what {@link ReadRouter.explain} returns.
 */
export interface ReadRouter<E = unknown> {
  /** Whether reads of `uri` go through this router; others go straight to their provider. */
  claims(uri: StorageUri): boolean;
  /**
   * Plan one read before any byte moves.
   * @throws a typed StowageError when no route is allowed (the copy fails before starting).
   */
  plan(request: ReadRequest): Promise<ReadPlan>;
  /** Where a read of `uri` would go and why, without moving a byte (`storage.explainRoute`). */
  explain(uri: StorageUri, options?: object): Promise<E>;
}

/** The public part of a plan, as events and results carry it (no provider, meter or callbacks). */
export function readRouteOf(plan: ReadPlan, requested: StorageUri): ReadRoute {
  return {
    route: plan.route,
    uri: displayUri(plan.source),
    requested: displayUri(requested),
    reasons: plan.reasons,
    warnings: plan.warnings,
    ...(plan.details === undefined ? {} : { details: plan.details }),
  };
}
