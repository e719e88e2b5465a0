import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { InvalidArgumentError } from '@stowage/core';
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
      maxAttempts: o.maxAttempts ?? 3,
      followRegionRedirects: false,
      requestChecksumCalculation: checksumsOff ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED',
      // The provider asks for validation itself (ChecksumMode on whole-object reads). WHEN_SUPPORTED
      // would also validate ranged reads against whole-object headers some servers send (moto's Content-MD5).
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...(o.endpoint === undefined ? {} : { endpoint: o.endpoint }),
      ...(o.forcePathStyle === undefined ? {} : { forcePathStyle: o.forcePathStyle }),
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
