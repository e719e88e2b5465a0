import type { Catalog } from '@stowage/catalog';
import {
  createStorage,
  FsProvider,
  MemoryProvider,
  type Provider,
  type Storage,
  type StorageUri,
} from '@stowage/core';
import type { S3ProviderOptions, S3Router } from '@stowage/s3';
import { type CliIo, homeOf } from '../cli-io.js';
import { type GlobalOptions, wantsRouting } from '../global-options.js';
import { escapeControls } from '../output/terminal-text.js';

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

/** The S3 endpoint of the run: `--endpoint` (or `--endpoint-url`), else `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`. */
export function endpointOf(options: GlobalOptions, io: CliIo): string | undefined {
  return (
    options.endpoint ??
    options.endpointUrl ??
    (io.env.AWS_ENDPOINT_URL_S3 || io.env.AWS_ENDPOINT_URL || undefined)
  );
}

/** Schemes served by core's own providers, which every run has. */
const LOCAL_SCHEMES: ReadonlySet<string> = new Set(['file', 'mem']);
/** Schemes of the HTTP(S) adapter. */
const HTTP_SCHEMES: ReadonlySet<string> = new Set(['http', 'https']);

/**
 * Which adapters a run needs. The AWS SDK, got and the catalog client cost most of a command's
 * start-up, so they load only for the locations that use them: `s3://` (or routing, whose reads
 * may go to either) loads S3, `http(s)://` loads HTTP. An unknown scheme, or no locations given,
 * loads both, so "no provider for" errors list every scheme the CLI serves.
 */
function adaptersFor(
  options: GlobalOptions,
  uris: readonly StorageUri[] | undefined,
  forceRouter: boolean,
): { s3: boolean; http: boolean } {
  const all =
    uris === undefined ||
    forceRouter ||
    wantsRouting(options) ||
    uris.some(
      (uri) => !LOCAL_SCHEMES.has(uri.scheme) && !HTTP_SCHEMES.has(uri.scheme) && uri.scheme !== 's3',
    );
  return {
    s3: all || uris.some((uri) => uri.scheme === 's3'),
    http: all || uris.some((uri) => HTTP_SCHEMES.has(uri.scheme)),
  };
}

/**
 * Build the storage of a run from its options: local files, `mem://`, S3 (boto3-order credentials,
 * or anonymous with `--no-sign-request`, or the catalog's with `--catalog-credentials`), HTTP(S)
 * (credentials from `~/.netrc`), and a router when a routing option is given (or `forceRouter`).
 * Nothing is contacted until a command runs.
 * @param uris The locations the command will touch: adapters none of them needs are not loaded
 *   (nor their configuration read). Default: every adapter.
 */
export async function buildStorage(
  options: GlobalOptions,
  io: CliIo,
  tuning: TuningOptions = {},
  forceRouter = false,
  uris?: readonly StorageUri[],
): Promise<RunStorage> {
  const needs = adaptersFor(options, uris, forceRouter);
  const providers: Provider[] = [new FsProvider(), new MemoryProvider()];
  const s3 = needs.s3 ? await s3Setup(options, io, tuning, forceRouter) : undefined;
  if (s3) providers.push(s3.provider);
  if (needs.http) {
    const { HttpProvider, netrcCredentials } = await import('@stowage/http');
    providers.push(
      new HttpProvider({
        credentials: netrcCredentials(),
        resolveContext: { env: io.env, homedir: homeOf(io), cwd: io.cwd },
        ...(options.httpWrite ? { allowWrite: true, allowDelete: true } : {}),
        ...(options.httpListing ? { listing: options.httpListing } : {}),
      }),
    );
  }
  const routing = s3?.routing;
  const storage = createStorage({
    providers,
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

/**
 * The S3 provider of a run, and its router when routing is on: region, endpoint and credentials
 * from the options, the environment and the profile (and the catalog with `--catalog-credentials`).
 */
async function s3Setup(
  options: GlobalOptions,
  io: CliIo,
  tuning: TuningOptions,
  forceRouter: boolean,
): Promise<{ provider: Provider; routing: { router: S3Router; close(): void } | undefined }> {
  const [{ checkRegion, resolveAwsRegion, S3Provider }, { catalogFor, resolveContextFor, s3CredentialsFor }] =
    await Promise.all([import('@stowage/s3'), import('./credential-setup.js')]);
  const context = resolveContextFor(options, io);
  const anonymous = options.signRequest === false;
  let catalog: Catalog | undefined;
  let region = options.region;
  if (options.catalogCredentials) {
    catalog = await catalogFor(io);
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
  const credentials = anonymous ? undefined : await s3CredentialsFor(options, io, catalog);
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
  const provider = new S3Provider(s3Options);
  if (!(forceRouter || wantsRouting(options))) return { provider, routing: undefined };
  const { buildRouter } = await import('./router-setup.js');
  const routing = buildRouter(
    options,
    io,
    {
      ...(endpoint ? { endpoint } : {}),
      ...(forcePathStyle !== undefined ? { forcePathStyle } : {}),
      ...(region ? { region } : {}),
    },
    credentials,
    context,
  );
  return { provider, routing };
}
