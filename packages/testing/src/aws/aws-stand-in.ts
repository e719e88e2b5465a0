import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { GENERATED_SESSION_NAME, type StandInRequest } from './stand-in-request-log.js';

/** How the stand-in behaves; switch at run time through the handle. */
export interface AwsStandInOptions {
  /** Expiration of every credential it hands out. Default 2099-01-01T00:00:00Z (the reference cases' value). */
  expiration?: () => Date;
  /** Role name IMDS reports. Default `instance-role`. */
  instanceRole?: string;
  /** Region IMDS reports at `placement/region` (for where-am-I probes). Default `us-east-1`. */
  region?: string;
}

/** A running stand-in for STS, the SSO portal, container credentials and IMDSv2 on 127.0.0.1. */
export interface AwsStandInHandle {
  /** Base URL, e.g. `http://127.0.0.1:41234` (the reference cases' `${ENDPOINT}`). */
  url: string;
  /** TCP port it listens on (chosen by the OS). */
  port: number;
  /** Requests served since the last `clearLog()`, in order. */
  readonly requests: StandInRequest[];
  /** Empty `requests`. */
  clearLog(): void;
  /** Hand out credentials expiring at this time from now on (`undefined`: back to 2099). */
  setExpiration(expiration: (() => Date) | undefined): void;
  /**
   * `answer` (default), `hang` (accept connections, never answer: a black-holed metadata host) or
   * `reset` (close each connection at once: nothing listening).
   */
  setMode(mode: 'answer' | 'hang' | 'reset'): void;
  /** Drop open connections and stop listening. */
  close(): Promise<void>;
}

const FAR_FUTURE = new Date('2099-01-01T00:00:00Z');
const IMDS_TOKEN = 'imds-token-1';
const CREDENTIALS_PATH = '/latest/meta-data/iam/security-credentials/';

function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function stsXml(action: string, creds: Record<string, string>, roleArn: string, session: string): string {
  const role = roleArn.split('/').at(-1) ?? roleArn;
  const account = roleArn.split(':')[4] ?? '123456789012';
  const fields = Object.entries(creds)
    .map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`)
    .join('');
  return `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><${action}Result><Credentials>${fields}</Credentials><AssumedRoleUser><AssumedRoleId>AROASTANDIN:${xmlEscape(session)}</AssumedRoleId><Arn>arn:aws:sts::${account}:assumed-role/${xmlEscape(role)}/${xmlEscape(session)}</Arn></AssumedRoleUser></${action}Result><ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata></${action}Response>`;
}

function stsError(res: ServerResponse, status: number, code: string, message: string): void {
  send(
    res,
    status,
    'text/xml',
    `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>stand-in</RequestId></ErrorResponse>`,
  );
}

/**
 * Start the stand-in the credential reference cases were computed against. Every answer is derived
 * from the request (see `packages/s3/test/fixtures/botocore/README.md`), so a client's behaviour can be
 * compared request by request with botocore's: AssumeRole keys are `AR_<role>_<signing key id>`,
 * web identity `WI_<role>_<token>`, SSO `SSO_<account>_<role>`, container `CT_<name>`, IMDS
 * `IMDS_<role>`.
 */
export async function startAwsStandIn(options: AwsStandInOptions = {}): Promise<AwsStandInHandle> {
  const requests: StandInRequest[] = [];
  let expiration = options.expiration;
  let mode: 'answer' | 'hang' | 'reset' = 'answer';
  const instanceRole = options.instanceRole ?? 'instance-role';
  const sockets = new Set<Socket>();
  const expires = () => (expiration ? expiration() : FAR_FUTURE);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const path = url.pathname;
    if (req.method === 'POST' && path === '/') {
      const form = new URLSearchParams(await readBody(req));
      const action = form.get('Action');
      const roleArn = form.get('RoleArn') ?? '';
      const role = roleArn.split('/').at(-1) ?? '';
      const given = form.get('RoleSessionName') ?? '';
      const roleSessionName = GENERATED_SESSION_NAME.test(given) ? '<default>' : given;
      if (action === 'AssumeRole') {
        const match = /Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '');
        if (!match)
          return stsError(res, 403, 'MissingAuthenticationToken', 'Request is missing a SigV4 signature');
        const keyId = match[1]!;
        const entry: StandInRequest = {
          service: 'sts',
          action,
          roleArn,
          roleSessionName,
          sourceAccessKeyId: keyId,
        };
        for (const field of ['ExternalId', 'DurationSeconds', 'SerialNumber'] as const) {
          const value = form.get(field);
          if (value !== null) entry[field] = value;
        }
        // Keep the recorded key order of the reference cases (optional fields before the key id).
        const { sourceAccessKeyId, ...rest } = entry;
        requests.push({ ...rest, sourceAccessKeyId });
        const creds = {
          AccessKeyId: `AR_${role}_${keyId}`,
          SecretAccessKey: `secret-${role}`,
          SessionToken: `token-${role}-${keyId}`,
          Expiration: iso(expires()),
        };
        return send(res, 200, 'text/xml', stsXml(action, creds, roleArn, given));
      }
      if (action === 'AssumeRoleWithWebIdentity') {
        const token = form.get('WebIdentityToken') ?? '';
        requests.push({ service: 'sts', action, roleArn, roleSessionName, webIdentityToken: token });
        const creds = {
          AccessKeyId: `WI_${role}_${token}`,
          SecretAccessKey: `secret-${role}`,
          SessionToken: `token-${role}-${token}`,
          Expiration: iso(expires()),
        };
        return send(res, 200, 'text/xml', stsXml(action, creds, roleArn, given));
      }
      return stsError(res, 400, 'InvalidAction', `Unsupported action ${action}`);
    }
    if (req.method === 'GET' && path === '/federation/credentials') {
      const role = url.searchParams.get('role_name') ?? '';
      const account = url.searchParams.get('account_id') ?? '';
      const bearer = req.headers['x-amz-sso_bearer_token'];
      if (typeof bearer !== 'string' || !bearer) {
        return send(
          res,
          401,
          'application/json',
          JSON.stringify({ message: 'Session token not found or invalid' }),
        );
      }
      requests.push({ service: 'sso', role, account, bearer });
      return send(
        res,
        200,
        'application/json',
        JSON.stringify({
          roleCredentials: {
            accessKeyId: `SSO_${account}_${role}`,
            secretAccessKey: `secret-sso-${bearer}`,
            sessionToken: `token-sso-${bearer}`,
            expiration: expires().getTime(),
          },
        }),
      );
    }
    if (req.method === 'GET' && path.startsWith('/container/')) {
      const name = path.slice('/container/'.length);
      const authorization = req.headers.authorization ?? null;
      requests.push({ service: 'container', path, authorization });
      return send(
        res,
        200,
        'application/json',
        JSON.stringify({
          AccessKeyId: `CT_${name}`,
          SecretAccessKey: `secret-ct-${name}`,
          Token: `token-ct-${authorization ?? ''}`,
          Expiration: iso(expires()),
        }),
      );
    }
    if (req.method === 'PUT' && path === '/latest/api/token') {
      requests.push({ service: 'imds', op: 'token' });
      return send(res, 200, 'text/plain', IMDS_TOKEN);
    }
    if (req.method === 'GET' && path === '/latest/meta-data/placement/region') {
      // Not logged: the reference cases' request logs cover credential calls only.
      if (req.headers['x-aws-ec2-metadata-token'] !== IMDS_TOKEN)
        return send(res, 401, 'text/plain', 'Unauthorized');
      return send(res, 200, 'text/plain', options.region ?? 'us-east-1');
    }
    if (req.method === 'GET' && path.startsWith(CREDENTIALS_PATH)) {
      if (req.headers['x-aws-ec2-metadata-token'] !== IMDS_TOKEN)
        return send(res, 401, 'text/plain', 'Unauthorized');
      const role = path.slice(CREDENTIALS_PATH.length);
      if (!role) return send(res, 200, 'text/plain', instanceRole);
      if (role !== instanceRole) return send(res, 404, 'text/plain', 'Not Found');
      requests.push({ service: 'imds', op: 'credentials', role });
      return send(
        res,
        200,
        'application/json',
        JSON.stringify({
          Code: 'Success',
          LastUpdated: iso(new Date()),
          Type: 'AWS-HMAC',
          AccessKeyId: `IMDS_${role}`,
          SecretAccessKey: `secret-imds-${role}`,
          Token: `token-imds-${role}`,
          Expiration: iso(expires()),
        }),
      );
    }
    send(res, 404, 'text/plain', 'Not Found');
  };

  const server = createServer((req, res) => {
    if (mode === 'hang') return;
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'text/plain', 'stand-in failure');
    });
  });
  server.on('connection', (socket) => {
    if (mode === 'reset') {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    clearLog: () => {
      requests.length = 0;
    },
    setExpiration: (next) => {
      expiration = next;
    },
    setMode: (next) => {
      mode = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
