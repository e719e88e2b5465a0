import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { InvalidArgumentError, InvalidConfigError } from '@stowage/core';
import type { AwsIdentityProvider } from './default-credentials.js';
import type { S3ProviderOptions } from './s3-provider-options.js';

/** Throw before any request when the endpoint option is not an http(s) URL. */
export function checkEndpoint(endpoint: string | undefined): void {
  if (endpoint === undefined) return;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new InvalidArgumentError(
      `endpoint "${endpoint}" is not a URL (expected e.g. http://127.0.0.1:9000)`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(`endpoint "${endpoint}" must be an http:// or https:// URL`);
  }
  if (url.username || url.password) {
    throw new InvalidArgumentError(
      'endpoint must not carry a user name or password; pass credentials instead',
    );
  }
}

/**
 * botocore's rule for region names (`validate_region_name`): one DNS label of letters, digits and
 * `-`, not all digits, no leading or trailing `-`. The region becomes part of the S3 host name, so
 * anything else (`evil.com/x#`, `../`, a NUL) would send requests to another host or fail as a
 * "network error" that retrying cannot fix.
 */
const REGION_NAME = /^(?![0-9]+$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/** Whether `region` is a well-formed region name (botocore's check). */
export function isValidRegion(region: string): boolean {
  return REGION_NAME.test(region);
}

/**
 * Throw before any request when the client region is malformed: `InvalidArgument` for the
 * `region` option, `InvalidConfig` when it came from the environment or a config file (`from`
 * names which). The value is shown JSON-quoted, so control characters stay visible.
 */
export function checkRegion(region: string, from?: string): void {
  if (isValidRegion(region)) return;
  const message = `The S3 region ${JSON.stringify(region)}${from ? ` (from ${from})` : ''} is not a region name: expected letters, digits and "-", e.g. us-east-1`;
  const hint =
    "Give the bucket's AWS region (e.g. eu-west-1); for S3-compatible stores any valid name, such as us-east-1, works.";
  if (from === undefined) throw new InvalidArgumentError(message, { provider: 's3', hint });
  throw new InvalidConfigError(message, { provider: 's3', uri: from, hint });
}

/**
 * Whether buckets go in the path (`host/bucket/key`) rather than the host name. An explicit
 * `forcePathStyle` wins; otherwise any custom `endpoint` means path style, as botocore
 * (`addressing_style` other than `virtual` with an `endpoint_url`) and rclone (`force_path_style`
 * on by default) decide: S3-compatible stores and local servers rarely serve `bucket.host` names
 * (`bucket.localhost` does not even resolve). AWS's own endpoints keep virtual-hosted addressing.
 */
export function pathStyleFor(options: Pick<S3ProviderOptions, 'endpoint' | 'forcePathStyle'>): boolean {
  return options.forcePathStyle ?? options.endpoint !== undefined;
}

// SigV4 presigning and unsigned requests share this no-op signer: the request goes out as built.
const unsignedSigner = { sign: async <T>(request: T): Promise<T> => request };

/**
 * Builds and caches S3 clients, one per (region, signed/unsigned) pair, sharing one connection
 * pool. Buckets in other regions get a client of their region instead of a redirect per request.
 */
export class S3ClientFactory {
  private readonly clients = new Map<string, S3Client>();
  private readonly handler: NodeHttpHandler;

  constructor(
    private readonly options: S3ProviderOptions,
    private readonly credentials: AwsIdentityProvider | undefined,
  ) {
    const maxSockets = options.maxSockets ?? 64;
    this.handler = new NodeHttpHandler({
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
      connectionTimeout: options.connectionTimeoutMs ?? 10_000,
      // An idle limit, not a total one: a 1 GiB transfer may take minutes but should never stall.
      socketTimeout: options.requestTimeoutMs ?? 0,
    });
  }

  /** The client for `region`; `unsigned` for anonymous requests. `purpose: 'presign'` never adds checksum parameters. */
  client(region: string, unsigned: boolean, purpose: 'request' | 'presign' = 'request'): S3Client {
    const id = `${region}|${unsigned ? 'unsigned' : 'signed'}|${purpose}`;
    let client = this.clients.get(id);
    if (!client) {
      client = new S3Client(this.config(region, unsigned, purpose));
      this.clients.set(id, client);
    }
    return client;
  }

  private config(region: string, unsigned: boolean, purpose: 'request' | 'presign'): S3ClientConfig {
    const o = this.options;
    // Presigned URLs are used by other clients that cannot add checksum headers: keep them out.
    const checksumsOff = o.checksumAlgorithm === 'off' || purpose === 'presign';
    return {
      region,
      requestHandler: this.handler,
      // One attempt: requests are retried by Stowage's retry layer (one policy, reported as events).
      maxAttempts: o.maxAttempts ?? 1,
      followRegionRedirects: false,
      requestChecksumCalculation: checksumsOff ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED',
      // The provider asks for validation itself (ChecksumMode on whole-object reads). WHEN_SUPPORTED
      // would also validate ranged reads against whole-object headers some servers send (moto's Content-MD5).
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...(o.endpoint === undefined ? {} : { endpoint: o.endpoint }),
      forcePathStyle: pathStyleFor(o),
      ...(unsigned
        ? { signer: unsignedSigner, credentials: { accessKeyId: 'anonymous', secretAccessKey: 'anonymous' } }
        : this.credentials === undefined
          ? {}
          : { credentials: this.credentials }),
    };
  }

  /** Close every client and the connection pool. */
  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
    this.handler.destroy();
  }
}
