import type { Catalog } from '@stowage/catalog';
import { createStorage, FsProvider, MemoryProvider, type Storage } from '@stowage/core';
import { HttpProvider, netrcCredentials } from '@stowage/http';
import {
  checkRegion,
  resolveAwsRegion,
  S3Provider,
  type S3ProviderOptions,
  type S3Router,
} from '@stowage/s3';
import type { CliIo } from '../cli-io.js';
import { type GlobalOptions, wantsRouting } from '../global-options.js';
import { escapeControls } from '../output/terminal-text.js';
import { catalogFor, resolveContextFor, s3CredentialsFor } from './credential-setup.js';
import { buildRouter } from './router-setup.js';

/** Transfer tuning that also configures the S3 provider's own multipart writes. */
export interface TuningOptions {
  /** Parts uploaded at once per file by the S3 provider. Default: the provider's (4). */
  concurrency?: number;
  /** Bytes per part of S3 multipart uploads. Default: the provider's (8 MiB). */
  partSize?: number;
  /** Objects of at least this many bytes go in S3 multipart uploads. Default: the provider's (16 MiB). */
  multipartThreshold?: number;
  /** Files copied at once in a tree. Default: the storage's (8). */
  fileConcurrency?: number;
}

/** A storage for one run, and how to release its sockets afterwards. */
export interface RunStorage {
  /** Storage with local files, `mem://`, S3 and HTTP(S) providers (and the router, when on). */
  storage: Storage;
  /** The router when a routing option was given (or one was forced), else undefined. */
  router: S3Router | undefined;
  /** Close the router's S3 clients and release the providers' sockets. */
  close(): Promise<void>;
}

/** The S3 endpoint of the run: `--endpoint`, else `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`. */
export function endpointOf(options: GlobalOptions, io: CliIo): string | undefined {
  return options.endpoint ?? (io.env.AWS_ENDPOINT_URL_S3 || io.env.AWS_ENDPOINT_URL || undefined);
}

/**
 * Build the storage of a run from its options: local files, `mem://`, S3 (boto3-order credentials,
 * or anonymous with `--no-sign-request`, or the catalog's with `--catalog-credentials`), HTTP(S)
 * (credentials from `~/.netrc`), and a router when a routing option is given (or `forceRouter`).
 * Nothing is contacted until a command runs.
 */
export async function buildStorage(
  options: GlobalOptions,
  io: CliIo,
  tuning: TuningOptions = {},
  forceRouter = false,
): Promise<RunStorage> {
  const context = resolveContextFor(options, io);
  const anonymous = options.signRequest === false;
  let catalog: Catalog | undefined;
  let region = options.region;
  if (options.catalogCredentials) {
    catalog = catalogFor(io);
    region ??= (await catalog.config())?.region ?? undefined;
  }
  if (region === undefined) {
    region = resolveAwsRegion({
      env: io.env,
      homedir: context.homedir!,
      ...(options.profile ? { profile: options.profile } : {}),
    });
    // A bad region from the environment or a profile is a configuration error (exit 6), not a
    // usage error; botocore fails on it too (AWS_DEFAULT_REGION="" included).
    if (region !== undefined) checkRegion(region, "AWS_DEFAULT_REGION or the profile's region");
  }
  const endpoint = endpointOf(options, io);
  // Unset, the S3 provider and the router's locator choose path style for any custom endpoint.
  const forcePathStyle = options.forcePathStyle;
  const credentials = anonymous ? undefined : s3CredentialsFor(options, io, catalog);
  const s3Options: S3ProviderOptions = {
    resolveContext: context,
    ...(region ? { region } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(forcePathStyle !== undefined ? { forcePathStyle } : {}),
    ...(anonymous ? { anonymous: true } : { credentials: credentials! }),
    ...(options.requestPayer ? { requestPayer: true } : {}),
    ...(options.checksumAlgorithm ? { checksumAlgorithm: options.checksumAlgorithm } : {}),
    ...(options.multipartHooks === false ? { multipartHooks: false } : {}),
    ...(tuning.partSize !== undefined ? { partSize: tuning.partSize } : {}),
    ...(tuning.concurrency !== undefined ? { concurrency: tuning.concurrency } : {}),
    ...(tuning.multipartThreshold !== undefined ? { multipartThreshold: tuning.multipartThreshold } : {}),
  };
  const s3 = new S3Provider(s3Options);
  const http = new HttpProvider({
    credentials: netrcCredentials(),
    resolveContext: { env: io.env, homedir: context.homedir!, cwd: io.cwd },
    ...(options.httpWrite ? { allowWrite: true, allowDelete: true } : {}),
    ...(options.httpListing ? { listing: options.httpListing } : {}),
  });
  const routing =
    forceRouter || wantsRouting(options)
      ? buildRouter(
          options,
          io,
          {
            ...(endpoint ? { endpoint } : {}),
            ...(forcePathStyle !== undefined ? { forcePathStyle } : {}),
            ...(region ? { region } : {}),
          },
          credentials,
          context,
        )
      : undefined;
  const storage = createStorage({
    providers: [new FsProvider(), new MemoryProvider(), s3, http],
    ...(routing ? { readRouter: routing.router } : {}),
    ...(tuning.fileConcurrency !== undefined ? { concurrency: tuning.fileConcurrency } : {}),
    // --debug: one line per provider call (each attempt), through the default logging layer.
    ...(options.debug ? { log: (line: string) => io.stderr.write(`debug: ${escapeControls(line)}\n`) } : {}),
  });
  return {
    storage,
    router: routing?.router,
    async close() {
      routing?.close();
      await storage.close();
    },
  };
}
