import type { RouteReason } from './reason-codes.js';
import type { RouteFacts } from './route-facts.js';

/** Where S3 bytes travel relative to the user, which decides whether they are metered. */
export type S3Egress = 'same-region' | 'cross-region' | 'internet';

/** The decision's estimate of what the S3 read costs, when the policy gives prices. */
export interface CostEstimate {
  /** The price used, USD per GiB. */
  usdPerGiB: number;
  /** Which price applied. */
  basis: S3Egress;
  /** Bytes, when the size is known. */
  bytes?: number;
  /** `bytes / GiB × usdPerGiB`, when the size is known. */
  usd?: number;
  /** Who AWS bills for the transfer: the requester (requester pays) or the bucket owner. */
  chargedTo: 'requester' | 'bucket-owner';
}

/**
 * Where to read one object from, and why. The CLI prints it (`stowage plan`); the transfer
 * engine emits it as `routed`. Secret-free, JSON-serialisable.
 */
export interface RouteDecision {
  /** `s3` reads the object from S3; `http` reads its HTTPS mirror (or the URL asked for). */
  route: 's3' | 'http';
  /** The URI to read: `s3://bucket/key` or the mirror's `https://…`. */
  uri: string;
  /** The URI the caller asked for. */
  requested: string;
  /** Send `x-amz-request-payer: requester` on the S3 requests. */
  requesterPays: boolean;
  /** For `route: 's3'`: where the bytes travel. */
  egress?: S3Egress;
  /** Whether the bytes count against the download cap (S3 cross-region, internet, or requester pays). */
  metered: boolean;
  /** The mirror a failed S3 read may fall back to (present when the policy allows fallback). */
  fallback?: {
    /** Always `http`. */
    route: 'http';
    /** The mirror URL. */
    uri: string;
  };
  /** The deciding reason first, then supplementary ones. */
  reasons: RouteReason[];
  /** What the user should know (cross-region refused, no mirror, region unknown…). */
  warnings: string[];
  /** Object size, when known. */
  size?: number;
  /** For metered S3 reads when the policy sets prices (`costPerGiB`). */
  costEstimate?: CostEstimate;
  /** The facts the decision was made from. */
  facts: RouteFacts;
}
