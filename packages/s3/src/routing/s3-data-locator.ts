import {
  GetBucketRequestPaymentCommand,
  HeadBucketCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import {
  awaitUnlessAborted,
  type CredentialSource,
  type ResolveContext,
  redactSecrets,
  type StorageUri,
} from '@stowage/core';
import { locateThroughMirrors, type MirrorMapping, type MirrorResolver } from './mirror-map.js';
import type { DataLocator } from './probes.js';
import type { BucketFacts, DataLocation } from './route-facts.js';
import { type DeclaredBucket, mirrorResolver } from './static-data-locator.js';

/** Options of {@link S3DataLocator}. */
export interface S3DataLocatorOptions {
  /** Mirror pairs (`s3://bucket/prefix` ↔ `https://mirror.example/prefix`) or a resolver. */
  mirrors?: readonly MirrorMapping[] | MirrorResolver;
  /** Declared bucket facts (open-data-registry, a catalog); they win over probing. */
  buckets?: Record<string, DeclaredBucket>;
  /** Where S3 is (`endpoint`, `forcePathStyle`, `region`); defaults to AWS's global endpoint in us-east-1. */
  s3?: Pick<S3ClientConfig, 'endpoint' | 'forcePathStyle' | 'region' | 'requestHandler' | 'maxAttempts'>;
  /**
   * Credentials for `GetBucketRequestPayment`, the only API that tells whether a bucket is
   * requester pays (it needs the owner's permission, so it often answers "unknown"). Without a
   * source, requester-pays comes from `buckets` only.
   */
  credentials?: CredentialSource;
  /** Context for resolving `credentials` (env, homedir, profile). */
  credentialContext?: ResolveContext;
  /**
   * Bound on one bucket's probe, in ms (default 30 000). The probe is shared by every caller, so
   * no caller's signal can cut it short; this bound is what keeps a silent endpoint from holding it.
   */
  probeTimeoutMs?: number;
}

const noSigning = (schemeId: string) => ({
  schemeId,
  identityProvider: () => async () => ({}),
  signer: { sign: async <T>(request: T) => request },
});

function headerRegion(error: unknown): string | undefined {
  const e = error as {
    $response?: { headers?: Record<string, string> };
    BucketRegion?: string;
    Region?: string;
  };
  return e?.$response?.headers?.['x-amz-bucket-region'] || e?.BucketRegion || e?.Region || undefined;
}

/**
 * AWS facts about an object's data: the mirror through a mapping, and per bucket its region from
 * an unsigned `HeadBucket` (`x-amz-bucket-region`, present even on a 403 for private buckets) and
 * requester-pays from declarations or `GetBucketRequestPayment`. Each bucket is asked once.
 */
export class S3DataLocator implements DataLocator {
  private readonly mirrors: MirrorResolver | undefined;
  private readonly declared: Record<string, DeclaredBucket>;
  private readonly cache = new Map<string, Promise<BucketFacts>>();
  private readonly anonymous: S3Client;
  /** Signed clients per bucket region (`''`: unknown): a bucket accepts signatures for its own region only. */
  private readonly signed = new Map<string, S3Client>();

  /** `options.s3` with the provider's addressing rule: path style with any custom endpoint. */
  private readonly s3: S3DataLocatorOptions['s3'];

  constructor(private readonly options: S3DataLocatorOptions = {}) {
    this.mirrors = mirrorResolver(options.mirrors);
    this.declared = options.buckets ?? {};
    this.s3 = {
      ...options.s3,
      forcePathStyle: options.s3?.forcePathStyle ?? options.s3?.endpoint !== undefined,
    };
    this.anonymous = new S3Client({
      region: 'us-east-1',
      ...this.s3,
      // Unsigned: no credentials are needed (or leaked) to learn a bucket's region.
      credentials: async () => ({ accessKeyId: '', secretAccessKey: '' }),
      httpAuthSchemes: [noSigning('aws.auth#sigv4'), noSigning('aws.auth#sigv4a')],
      followRegionRedirects: false,
    });
  }

  /** S3 location and mirror through the mappings, no I/O. @throws InvalidArgumentError for other schemes. */
  locate(uri: StorageUri): DataLocation {
    return locateThroughMirrors(uri, this.mirrors);
  }

  /**
   * Region and requester-pays of `bucket`: declared facts first, else probed once and cached. The
   * probe is shared: `signal` stops only this caller's wait (with `AbortedError`), never the probe
   * the other callers wait on, so one cancelled transfer cannot leave the bucket's facts "unknown"
   * for the rest. Otherwise never rejects: what could not be learnt is unknown, with the reason in
   * `detail`.
   */
  bucketFacts(bucket: string, signal?: AbortSignal): Promise<BucketFacts> {
    let facts = this.cache.get(bucket);
    if (!facts) {
      facts = this.probe(bucket, AbortSignal.timeout(this.options.probeTimeoutMs ?? 30_000));
      this.cache.set(bucket, facts);
    }
    return awaitUnlessAborted(facts, signal, `probe of bucket ${bucket}`);
  }

  private async probe(bucket: string, signal: AbortSignal): Promise<BucketFacts> {
    const declared = Object.hasOwn(this.declared, bucket) ? this.declared[bucket] : undefined;
    const facts: BucketFacts = { bucket, regionSource: 'unknown' };
    const notes: string[] = [];
    if (declared?.region) {
      facts.region = declared.region;
      facts.regionSource = 'metadata';
    } else {
      try {
        const head = await this.anonymous.send(new HeadBucketCommand({ Bucket: bucket }), {
          abortSignal: signal,
        });
        const region = head.BucketRegion ?? headerRegion(head);
        if (region) {
          facts.region = region;
          facts.regionSource = 'x-amz-bucket-region';
        }
      } catch (error) {
        const region = headerRegion(error);
        if (region) {
          facts.region = region;
          facts.regionSource = 'x-amz-bucket-region';
        } else {
          notes.push(
            `HeadBucket failed: ${redactSecrets((error as Error).name || (error as Error).message)}`,
          );
        }
      }
    }
    if (declared?.requesterPays !== undefined) {
      facts.requesterPays = declared.requesterPays;
      facts.requesterPaysSource = 'metadata';
    } else if (this.options.credentials) {
      const payer = await this.requestPayment(bucket, facts.region, signal).catch((error: unknown) => {
        notes.push(
          `GetBucketRequestPayment failed: ${redactSecrets((error as Error).name || (error as Error).message)}`,
        );
        return undefined;
      });
      if (payer === 'Requester' || payer === 'BucketOwner') {
        facts.requesterPays = payer === 'Requester';
        facts.requesterPaysSource = 'GetBucketRequestPayment';
      }
    }
    if (notes.length) facts.detail = notes.join('; ');
    return facts;
  }

  private async requestPayment(
    bucket: string,
    region: string | undefined,
    signal: AbortSignal,
  ): Promise<string | undefined> {
    const out = await this.signedClient(region).send(new GetBucketRequestPaymentCommand({ Bucket: bucket }), {
      abortSignal: signal,
    });
    return out.Payer;
  }

  /** The signed client for `region`; an unknown region signs as `options.s3` says (else us-east-1). */
  private signedClient(region: string | undefined): S3Client {
    const existing = this.signed.get(region ?? '');
    if (existing) return existing;
    const source = this.options.credentials!;
    const context = this.options.credentialContext ?? {};
    const client = new S3Client({
      region: 'us-east-1',
      ...this.s3,
      ...(region === undefined ? {} : { region }),
      credentials: async () => {
        const found = await source.resolve(context);
        if (found?.kind !== 'aws') throw new Error(`${source.name} has no AWS credentials`);
        return {
          accessKeyId: found.accessKeyId!,
          secretAccessKey: found.secretAccessKey!,
          ...(found.sessionToken ? { sessionToken: found.sessionToken } : {}),
          ...(found.expiresAt ? { expiration: found.expiresAt } : {}),
        };
      },
    });
    this.signed.set(region ?? '', client);
    return client;
  }

  /** Close the SDK clients' sockets. */
  destroy(): void {
    this.anonymous.destroy();
    for (const client of this.signed.values()) client.destroy();
    this.signed.clear();
  }
}
