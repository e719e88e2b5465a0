/**
 * The facts a routing decision is made from. Each fact records its `source` (an option, an
 * environment variable, IMDS, `x-amz-bucket-region`, a mapping…) so every reason can cite where it
 * came from. Facts never hold secrets.
 */

/** Whether this process runs in AWS: `unknown` (probe failed or timed out) routes like `none`. */
export type CloudPresence = 'aws' | 'none' | 'unknown';

/**
 * An account provided by a platform (a data provider's hub): its credentials read the provider's
 * buckets in their region by design, so S3 is used without comparing regions.
 */
export interface PlatformAccount {
  /** Shown in reasons (`"NASA Openscapes hub"`). */
  name: string;
  /** Buckets the platform serves; absent means every bucket. */
  buckets?: readonly string[];
  /** The only region where the platform's access works; absent means "wherever it runs". */
  regionLocked?: string;
}

/** Where this process runs. */
export interface EnvironmentFacts {
  /** Whether this process runs in AWS. */
  cloud: CloudPresence;
  /** The physical region, when known. An unknown region never matches a bucket's region. */
  region?: string;
  /** Where the answer came from: `option`, `env:STOWAGE_REGION`, `env:AWS_EXECUTION_ENV`, `imds`, `default`, … */
  source: string;
  /** A line for `explain` (e.g. "IMDS token request timed out after 1000 ms"). */
  detail?: string;
  /** Set when the account is a platform's. */
  platform?: PlatformAccount;
}

/** An object's S3 location. */
export interface S3Location {
  /** Bucket name. */
  bucket: string;
  /** Object key. */
  key: string;
  /** Object version, when the URI named one. */
  versionId?: string;
  /** `s3://bucket/key`, as the S3 provider reads it. */
  uri: string;
}

/** Where an object can be read from: its S3 location and/or an HTTPS mirror. */
export interface DataLocation {
  /** The URI the caller asked for. */
  requested: string;
  /** The object's S3 location, when it has one. */
  s3?: S3Location;
  /** The object's HTTP(S) mirror, if one is known; `source` names the mapping that produced it. */
  mirror?: {
    /** The mirror URL to read. */
    url: string;
    /** The resolver's `name` (`mapping`, …), or `requested` when the caller asked for the URL itself. */
    source: string;
  };
  /** Size in bytes, when a catalog or a stat told it (used for the cap and the cost estimate). */
  size?: number;
}

/** What is known about a bucket. */
export interface BucketFacts {
  /** Bucket name. */
  bucket: string;
  /** The bucket's region, when known. */
  region?: string;
  /** `option`, `metadata`, `x-amz-bucket-region`, `redirect`, `unknown`, … */
  regionSource: string;
  /** True when requesters pay for requests and transfer; undefined when unknown. */
  requesterPays?: boolean;
  /** Where `requesterPays` came from: `metadata`, `GetBucketRequestPayment`, … */
  requesterPaysSource?: string;
  /** A line for `explain` (why a probe failed or said nothing). */
  detail?: string;
}

/** Whether AWS credentials resolve (only the source's name, never a secret). */
export interface CredentialFacts {
  /** True when AWS keys resolve (bearer or basic credentials do not count). */
  available: boolean;
  /** Name of the source that produced them (`env`, `shared-credentials-file`, …). */
  source?: string;
  /** A line for `explain` (why none are available; never a secret). */
  detail?: string;
}

/** Everything {@link route} decides from. Only `data` is required: missing facts count as unknown. */
export interface RouteFacts {
  /** Where the object can be read from. */
  data: DataLocation;
  /** Where this process runs; absent reads as "not in AWS". */
  environment?: EnvironmentFacts;
  /** The S3 bucket's region and requester-pays status; absent reads as unknown. */
  bucket?: BucketFacts;
  /** Whether AWS credentials resolve; absent reads as "none". */
  credentials?: CredentialFacts;
}

/** A fact the rule table may need gathered, in the order a lazy gatherer fetches them. */
export type FactKind = 'environment' | 'bucket' | 'credentials';
