import type { S3ChecksumAlgorithm } from '@stowage/s3';
import { type Command, Option } from 'commander';
import { collect, parseByteSize } from './option-parsers.js';

/** Options every command accepts (before or after the command name), named like the library's. */
export interface GlobalOptions {
  /** `--json`: one JSON object per line (events, entries, results). */
  json?: boolean;
  /** `-q, --quiet`: print only errors and the data asked for (ls, cat, presign). */
  quiet?: boolean;
  /** `--debug`: print each provider call and error stack traces (still without secrets). */
  debug?: boolean;
  /** `--no-progress`: plain lines even on a terminal. */
  progress: boolean;
  // S3
  /** `--endpoint`: S3-compatible endpoint URL; default `AWS_ENDPOINT_URL_S3`, then `AWS_ENDPOINT_URL`. */
  endpoint?: string;
  /** `--endpoint-url`: awscli's spelling of `--endpoint`, accepted so its users' commands work. */
  endpointUrl?: string;
  /**
   * `--region`: S3 client region; default the catalog's (with `--catalog-credentials`), then
   * `AWS_DEFAULT_REGION` or the profile's.
   */
  region?: string;
  /** `--profile`: AWS profile for credentials and region, as boto3's `profile_name`. */
  profile?: string;
  /** `--no-sign-request` sets this to false: anonymous S3 access. */
  signRequest: boolean;
  /** `--request-payer`: send `x-amz-request-payer: requester`; also allows routed requester-pays reads. */
  requestPayer?: boolean;
  /** `--force-path-style` / `--no-force-path-style`; unset: path style only with an endpoint. */
  forcePathStyle?: boolean;
  /**
   * `--checksum-algorithm`: checksum stored with S3 writes (`CRC32`, `SHA256` or `off`); unset uses
   * the provider's default (`CRC32`).
   */
  checksumAlgorithm?: S3ChecksumAlgorithm;
  /** `--no-multipart-hooks`: stream uploads through PutObject (stores without multipart abort/list). */
  multipartHooks: boolean;
  /** Put the logged-in catalog's S3 credentials before the AWS chain. */
  catalogCredentials?: boolean;
  // HTTP
  /** `--http-write`: allow PUT and DELETE on `http(s)://` destinations. */
  httpWrite?: boolean;
  /** `--http-listing`: how `http(s)://` prefixes are listed; unset means the provider's default (`none`). */
  httpListing?: 'autoindex-json' | 'none';
  // Routing
  /** `--mirror` (repeatable): `s3://bucket/prefix/=https://host/prefix/` HTTPS mirrors of S3 prefixes. */
  mirror?: string[];
  /** `--bucket-region` (repeatable): `bucket=region` declarations that spare a region probe. */
  bucketRegion?: string[];
  /** `--allow-cross-region`: allow S3 reads from another region (egress costs). */
  allowCrossRegion?: boolean;
  /** `--allow-requester-pays`: allow reads from requester-pays buckets (you pay). */
  allowRequesterPays?: boolean;
  /** `--prefer-http`: read from the HTTPS mirror whenever one exists. */
  preferHttp?: boolean;
  /** `--download-cap`: metered S3 bytes allowed in this run; no cap when unset. */
  downloadCap?: number;
  /** `--cap-action`: over the cap, `fail` or read the mirror (`http`). */
  capAction?: 'fail' | 'http';
  /** `--running-in`: AWS region this program runs in, or `none`; skips the environment probe. */
  runningIn?: string;
}

/** True when any routing option was given: `s3://` reads then go through the router. */
export function wantsRouting(options: GlobalOptions): boolean {
  return Boolean(
    options.mirror?.length ||
      options.bucketRegion?.length ||
      options.allowCrossRegion ||
      options.allowRequesterPays ||
      options.preferHttp ||
      options.downloadCap !== undefined ||
      options.capAction ||
      options.runningIn,
  );
}

/** Add the global options to the root command, grouped in `--help`. */
export function addGlobalOptions(program: Command): Command {
  const output = [
    new Option('--json', 'machine output: one JSON object per line (events, entries, results)'),
    new Option('-q, --quiet', 'print nothing but errors (and the data asked for: ls, cat, presign)'),
    new Option('--debug', 'print each storage call and the stack traces of errors (still without secrets)'),
    new Option('--no-progress', 'plain lines instead of progress bars, even on a terminal'),
  ];
  const s3 = [
    new Option(
      '--endpoint <url>',
      'S3-compatible endpoint (MinIO, Ceph, R2, local servers); default AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL',
    ),
    new Option('--endpoint-url <url>', "awscli's spelling of --endpoint").hideHelp(),
    new Option('--region <region>', 'S3 client region (default: AWS_DEFAULT_REGION, then the profile)'),
    new Option('--profile <name>', 'AWS profile, as boto3 Session(profile_name=...)'),
    new Option('--no-sign-request', 'anonymous S3 access for public data: no credentials looked up'),
    new Option('--request-payer', 'send x-amz-request-payer: requester (you pay for the transfer)'),
    new Option('--force-path-style', 'address buckets in the path (default when --endpoint is given)'),
    new Option('--no-force-path-style', 'address buckets as host names even with --endpoint'),
    new Option('--checksum-algorithm <name>', 'checksum stored with S3 writes').choices([
      'CRC32',
      'SHA256',
      'off',
    ]),
    new Option('--no-multipart-hooks', 'no multipart uploads (stores without AbortMultipartUpload)'),
    new Option('--catalog-credentials', "use the logged-in catalog's S3 credentials, then the AWS chain"),
  ];
  const http = [
    new Option('--http-write', 'allow PUT and DELETE on http(s):// destinations'),
    new Option('--http-listing <how>', 'how http(s):// prefixes are listed').choices([
      'autoindex-json',
      'none',
    ]),
  ];
  const routing = [
    new Option(
      '--mirror <s3=https>',
      'HTTPS mirror of an S3 prefix (repeatable): s3://b/p/=https://host/p/',
    ).argParser(collect),
    new Option('--bucket-region <bucket=region>', "declare a bucket's region (repeatable)").argParser(
      collect,
    ),
    new Option('--allow-cross-region', 'allow S3 reads across regions (egress costs)'),
    new Option('--allow-requester-pays', 'allow reads from requester-pays buckets (you pay)'),
    new Option('--prefer-http', 'read from the HTTPS mirror whenever one exists'),
    new Option('--download-cap <size>', 'metered S3 bytes allowed in this run (e.g. 10GiB)').argParser(
      parseByteSize,
    ),
    new Option('--cap-action <action>', 'over the cap: fail, or read the mirror').choices(['fail', 'http']),
    new Option(
      '--running-in <region|none>',
      'where this program runs (skips probing): an AWS region, or none',
    ),
  ];
  const groups: Array<[string, Option[]]> = [
    ['Output options:', output],
    ['S3 options:', s3],
    ['HTTP options:', http],
    ['Routing options (s3:// reads; any of them turns the router on):', routing],
  ];
  for (const [heading, options] of groups) {
    for (const option of options) program.addOption(option.helpGroup(heading));
  }
  return program;
}
