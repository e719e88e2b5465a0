import { request } from 'node:http';
import type { CloudPresence } from './route-facts.js';

/** Where and how to ask the EC2 instance metadata service. */
export interface ImdsOptions {
  /** Base URL; default `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else `http://169.254.169.254` (IPv6 mode: `http://[fd00:ec2::254]`). */
  endpoint?: string;
  /** Budget for the whole probe (token and region requests together), in ms. Default 1000, as botocore. */
  timeoutMs?: number;
  /** Never ask IMDS (like `AWS_EC2_METADATA_DISABLED=true`). */
  disabled?: boolean;
}

/** What IMDS said about the physical region. */
export interface ImdsAnswer {
  /** `aws` when something answered like IMDS, `none` when nothing listens, else `unknown`. */
  cloud: CloudPresence;
  /** `placement/region`, when IMDS gave a well-formed one. */
  region?: string;
  /** How the answer was reached (token or IMDSv1, timeouts), for `explain`. */
  detail: string;
}

const TOKEN_TTL_SECONDS = '21600';
const REGION_PATTERN = /^[a-z]{2}(-[a-z0-9]+)+-\d+$/;
const MAX_BODY = 4096;

type Reply = { status: number; body: string } | { failed: 'timeout' | 'network'; message: string };

/** The IMDS base URL the AWS SDKs would use for this environment. */
export function imdsEndpoint(env: Record<string, string | undefined>, explicit?: string): string {
  const base = explicit ?? env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
  if (base) return base.replace(/\/+$/, '');
  return env.AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE?.toLowerCase() === 'ipv6'
    ? 'http://[fd00:ec2::254]'
    : 'http://169.254.169.254';
}

/** True when `AWS_EC2_METADATA_DISABLED` switches IMDS off (botocore: the value `true`, any case). */
export function imdsDisabled(env: Record<string, string | undefined>): boolean {
  return env.AWS_EC2_METADATA_DISABLED?.trim().toLowerCase() === 'true';
}

/** One plain HTTP request: no proxy, no agent, no user credentials, bounded by `deadline`. */
function ask(
  method: 'GET' | 'PUT',
  url: string,
  headers: Record<string, string>,
  deadline: number,
): Promise<Reply> {
  const remaining = deadline - Date.now();
  if (remaining <= 0) return Promise.resolve({ failed: 'timeout', message: 'no time left' });
  return new Promise((resolve) => {
    let settled = false;
    const done = (reply: Reply) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(reply);
    };
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_BODY) chunks.push(chunk);
      });
      res.on('end', () =>
        done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').trim() }),
      );
      res.on('error', (error) => done({ failed: 'network', message: error.message }));
    });
    const timer = setTimeout(() => {
      done({ failed: 'timeout', message: `no answer within ${Math.max(0, remaining)} ms` });
      req.destroy();
    }, remaining);
    req.on('error', (error) =>
      done({ failed: 'network', message: (error as NodeJS.ErrnoException).code ?? error.message }),
    );
    req.end();
  });
}

/**
 * Ask IMDS for `placement/region` the way botocore does: an IMDSv2 token first (PUT, TTL 21600);
 * on 403/404/405 or a token timeout, IMDSv1 without a token. The whole probe answers within
 * `timeoutMs`. `placement/region` is used rather than the AZ minus its last letter, which is
 * wrong for Local Zones.
 */
export async function fetchImdsRegion(
  env: Record<string, string | undefined>,
  options: ImdsOptions = {},
): Promise<ImdsAnswer> {
  const base = imdsEndpoint(env, options.endpoint);
  const timeoutMs = options.timeoutMs ?? 1000;
  const deadline = Date.now() + timeoutMs;
  const notes: string[] = [];

  const tokenReply = await ask(
    'PUT',
    `${base}/latest/api/token`,
    { 'x-aws-ec2-metadata-token-ttl-seconds': TOKEN_TTL_SECONDS },
    deadline,
  );
  let token: string | undefined;
  if ('failed' in tokenReply) {
    if (tokenReply.failed === 'network')
      return { cloud: 'none', detail: `IMDS at ${base} unreachable (${tokenReply.message})` };
    notes.push(`token request timed out; trying IMDSv1`);
  } else if (tokenReply.status === 200 && tokenReply.body) {
    token = tokenReply.body;
    notes.push('IMDSv2 token');
  } else if ([403, 404, 405].includes(tokenReply.status)) {
    notes.push(`token request answered ${tokenReply.status}; using IMDSv1`);
  } else {
    return { cloud: 'unknown', detail: `IMDS token request at ${base} answered ${tokenReply.status}` };
  }

  const regionReply = await ask(
    'GET',
    `${base}/latest/meta-data/placement/region`,
    token ? { 'x-aws-ec2-metadata-token': token } : {},
    deadline,
  );
  if ('failed' in regionReply) {
    const what =
      regionReply.failed === 'timeout'
        ? `timed out after ${timeoutMs} ms`
        : `failed (${regionReply.message})`;
    return { cloud: 'unknown', detail: `${notes.join('; ')}; region request ${what}` };
  }
  if (regionReply.status === 200 && REGION_PATTERN.test(regionReply.body)) {
    return { cloud: 'aws', region: regionReply.body, detail: `${notes.join('; ')}; placement/region` };
  }
  // Something answered like IMDS (a token, or 401/404 on the region path): EC2, region unknown.
  if (token || regionReply.status === 401 || regionReply.status === 404) {
    return {
      cloud: 'aws',
      detail: `${notes.join('; ')}; placement/region answered ${regionReply.status}, region unknown`,
    };
  }
  return { cloud: 'unknown', detail: `${notes.join('; ')}; placement/region answered ${regionReply.status}` };
}
