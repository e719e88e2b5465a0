import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CatalogFaults } from './catalog-faults.js';
import { type CatalogUser, RegistryState } from './registry-state.js';

/** S3 credentials the catalog hands out, in STS shape. */
export interface IssuedS3Credentials {
  /** Sent as `AccessKeyId`; recorded in `issuedAccessKeyIds`. */
  accessKeyId: string;
  /** Sent as `SecretAccessKey`. */
  secretAccessKey: string;
  /** Sent as `SessionToken`. */
  sessionToken: string;
}

/** Options of {@link startCatalogServer}. */
export interface CatalogServerOptions {
  /** Region the catalog's config.json announces. Default `us-east-1`. */
  region?: string;
  /** Lifetime of access tokens. Default 3600 s. */
  accessTokenTtlSeconds?: number;
  /** Lifetime announced in `Expiration` of S3 credentials (fractions allowed, for refresh tests). Default 3600 s. */
  credentialsTtlSeconds?: number;
  /**
   * Where S3 credentials come from. Default: random `ASIA…` keys, which key-agnostic servers (s3rver)
   * accept. Point it at moto's STS to issue keys that an authenticating S3 server really checks.
   */
  issueCredentials?: (user: CatalogUser) => Promise<IssuedS3Credentials> | IssuedS3Credentials;
  /** The signed-in catalog user that `/code` issues codes for. Default `alice`. */
  user?: {
    /** User name `/api/me` reports. */
    name: string;
    /** E-mail address. Default `<name>@example.com`. */
    email?: string;
    /** Reported as `is_staff`. Default false. */
    isAdmin?: boolean;
  };
}

/** One request the local catalog answered (no token values are recorded). */
export interface CatalogRequestRecord {
  /** Which of the two servers answered. */
  host: 'catalog' | 'registry';
  /** HTTP method. */
  method: string;
  /** Request path, without the query. */
  path: string;
  /** Status code answered. */
  status: number;
  /** Whether an `Authorization: Bearer` header was sent. */
  bearer: boolean;
  /** The request's `Content-Type`, when it sent one. */
  contentType?: string;
}

/** A running local catalog: the catalog web host and its registry, on two loopback ports. */
export interface LocalCatalog {
  /** The catalog URL a user configures (`config(catalogUrl)`). */
  catalogUrl: string;
  /** The registry's base URL, announced in config.json; a different host:port from the catalog. */
  registryUrl: string;
  /** Misbehaviour switches, read on every request. */
  faults: CatalogFaults;
  /** Lifetimes, changeable between calls. */
  ttl: {
    /** Lifetime of access tokens issued from now on, in seconds. */
    accessTokenSeconds: number;
    /** Lifetime of S3 credentials issued from now on, in seconds. */
    credentialsSeconds: number;
  };
  /** A one-time code, as a signed-in user reads it from `{catalog}/code`. */
  issueCode(userName?: string): string;
  /** An API key `qk_…` for batch logins. */
  createApiKey(userName?: string): string;
  /** Revoke every refresh token now. */
  revokeAllRefreshTokens(): void;
  /** Make every access token issued so far expired. */
  expireAccessTokens(): void;
  /** Whether the registry still accepts a refresh token. */
  isRefreshTokenLive(refreshToken: string): boolean;
  /** Number of live login sessions. */
  liveSessions(): number;
  /** Every request answered, in order. */
  readonly requests: CatalogRequestRecord[];
  /** Access key ids of every S3 credential issued, in order. */
  readonly issuedAccessKeyIds: string[];
  /** Every S3 credential issued: its key id and the Expiration announced (for expiry-enforcing proxies). */
  readonly issuedCredentials: Array<{
    /** Access key id of the credential. */
    accessKeyId: string;
    /** The `Expiration` announced with it. */
    expiresAt: Date;
  }>;
  /** Count of requests to one path (e.g. `/api/token`). */
  count(path: string): number;
  /** Close open connections and stop both servers. */
  stop(): Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/json',
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

const LOGIN_PAGE = '<!doctype html><html><head><title>Sign in</title></head><body>Sign in</body></html>';

function randomCredentials(): IssuedS3Credentials {
  return {
    accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: randomBytes(48).toString('base64'),
  };
}

/**
 * Start a local Quilt-compatible catalog on 127.0.0.1: the catalog host serves `/config.json` and the
 * `/code` page; the registry host (another port, as a real stack's registry is another host) serves
 * `/login`, `/api/code`, `/api/token` (form-encoded, rotating refresh tokens),
 * `/api/auth/get_credentials`, `/api/me` and `/api/logout`. Faults are switched through `faults`.
 */
export async function startCatalogServer(options: CatalogServerOptions = {}): Promise<LocalCatalog> {
  const user: CatalogUser = {
    name: options.user?.name ?? 'alice',
    email: options.user?.email ?? `${options.user?.name ?? 'alice'}@example.com`,
    isAdmin: options.user?.isAdmin ?? false,
  };
  const state = new RegistryState(user);
  const faults: CatalogFaults = {};
  const ttl = {
    accessTokenSeconds: options.accessTokenTtlSeconds ?? 3600,
    credentialsSeconds: options.credentialsTtlSeconds ?? 3600,
  };
  const requests: CatalogRequestRecord[] = [];
  const issuedAccessKeyIds: string[] = [];
  const issuedCredentials: Array<{ accessKeyId: string; expiresAt: Date }> = [];
  const issue = options.issueCredentials ?? (() => randomCredentials());
  const catalogServer = createServer();
  const registryServer = createServer();
  const [catalogPort, registryPort] = await Promise.all([listen(catalogServer), listen(registryServer)]);
  const catalogUrl = `http://127.0.0.1:${catalogPort}`;
  const registryUrl = `http://127.0.0.1:${registryPort}`;

  const record = (host: 'catalog' | 'registry', request: IncomingMessage, response: ServerResponse) => {
    response.on('finish', () => {
      const entry: CatalogRequestRecord = {
        host,
        method: request.method ?? 'GET',
        path: (request.url ?? '/').split('?')[0]!,
        status: response.statusCode,
        bearer: /^Bearer\s/i.test(request.headers.authorization ?? ''),
      };
      const contentType = request.headers['content-type'];
      if (contentType) entry.contentType = contentType;
      requests.push(entry);
      if (requests.length > 5000) requests.shift();
    });
  };

  catalogServer.on('request', (request, response) => {
    record('catalog', request, response);
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/config.json') {
      switch (faults.configJson) {
        case 'status-500':
          return send(response, 500, { message: 'Internal error' });
        case 'html':
          return send(response, 200, LOGIN_PAGE, 'text/html');
        case 'not-json':
          return send(response, 200, 'registryUrl = nope', 'application/json');
        case 'missing-registry':
          return send(response, 200, { region: options.region ?? 'us-east-1', mode: 'PRODUCT' });
        default:
          return send(response, 200, {
            registryUrl,
            region: options.region ?? 'us-east-1',
            s3Proxy: `${catalogUrl}/proxy`,
            apiGatewayEndpoint: `${catalogUrl}/lambda`,
            binaryApiGatewayEndpoint: `${catalogUrl}/binary`,
            alwaysRequiresAuth: true,
            mode: 'PRODUCT',
            ssoAuth: 'disabled',
            passwordAuth: 'enabled',
            serviceBucket: 'local-service-bucket',
            stackVersion: 'local',
          });
      }
    }
    if (request.method === 'GET' && path === '/code') {
      // The signed-in catalog page: it would call {registry}/api/code with the user's bearer token.
      const code = state.issueCode();
      return send(
        response,
        200,
        `<!doctype html><html><body><p>Your code:</p><pre id="code">${code}</pre></body></html>`,
        'text/html',
      );
    }
    send(response, 404, { message: `No route ${path}` });
  });

  const handleRegistry = async (request: IncomingMessage, response: ServerResponse) => {
    record('registry', request, response);
    if (faults.latencyMs) await new Promise((r) => setTimeout(r, faults.latencyMs));
    const method = request.method ?? 'GET';
    const path = (request.url ?? '/').split('?')[0];
    if (method === 'GET' && path === '/login') {
      response.writeHead(302, { location: `${catalogUrl}/code` });
      return response.end();
    }
    if (method === 'POST' && path === '/api/token') return token(request, response);

    const needsAuth = ['/api/code', '/api/auth/get_credentials', '/api/me', '/api/logout'];
    if (!needsAuth.includes(path!)) return send(response, 404, { message: `No route ${path}` });
    if (faults.unauthorizedCalls && faults.unauthorizedCalls > 0) {
      faults.unauthorizedCalls -= 1;
      return send(response, 401, { message: 'Token could not be deserialized' });
    }
    const who = state.check(request.headers.authorization);
    if (!who.ok) return send(response, 401, { message: who.message });
    if (method === 'GET' && path === '/api/code')
      return send(response, 200, { code: state.issueCode(who.user.name) });
    if (method === 'GET' && path === '/api/me') {
      return send(response, 200, {
        current_user: who.user.name,
        email: who.user.email,
        is_active: true,
        is_staff: who.user.isAdmin,
      });
    }
    if (method === 'POST' && path === '/api/logout') {
      if (who.sessionId) state.revokeSession(who.sessionId);
      return send(response, 200, {});
    }
    if (method === 'GET' && path === '/api/auth/get_credentials') return credentials(response, who.user);
    return send(response, 405, { message: `${method} not allowed on ${path}` });
  };

  const token = async (request: IncomingMessage, response: ServerResponse) => {
    const contentType = request.headers['content-type'] ?? '';
    const body = await readBody(request);
    if (!contentType.startsWith('application/x-www-form-urlencoded')) {
      return send(response, 400, { message: 'Expected a form-encoded body (refresh_token=…)' });
    }
    const presented = new URLSearchParams(body).get('refresh_token');
    if (!presented) return send(response, 400, { message: 'refresh_token is required' });
    switch (faults.token) {
      case 'status-500':
        return send(response, 500, { message: 'Internal error' });
      case 'status-401':
        return send(response, 401, { message: 'Unauthorized' });
      case 'html':
        return send(response, 200, LOGIN_PAGE, 'text/html');
      case 'not-json':
        return send(response, 200, '"just a string"');
      case 'error-200':
        return send(response, 200, { error: 'Code expired or already used' });
      default:
    }
    const result = state.exchange(presented, ttl.accessTokenSeconds, faults.revokedRefreshTokens ?? false);
    if ('error' in result) return send(response, 401, { error: 'invalid_grant', message: result.error });
    if (faults.expiredAccessTokens) result.expires_at = Math.floor(Date.now() / 1000) - 120;
    if (faults.token === 'missing-fields') {
      return send(response, 200, { access_token: result.access_token });
    }
    return send(response, 200, result);
  };

  const credentials = async (response: ServerResponse, who: CatalogUser) => {
    switch (faults.credentials) {
      case 'status-500':
        return send(response, 500, { message: 'Internal error' });
      case 'html':
        return send(response, 200, LOGIN_PAGE, 'text/html');
      case 'not-json':
        return send(response, 200, 'AccessKeyId=nope');
      case 'error-200':
        return send(response, 200, { error: 'Role not assumable' });
      default:
    }
    let issued: IssuedS3Credentials;
    try {
      issued = await issue(who);
    } catch (error) {
      return send(response, 500, { message: `Could not issue credentials: ${(error as Error).message}` });
    }
    const expiresAt =
      faults.credentials === 'expired'
        ? new Date(Date.now() - 60_000)
        : new Date(Date.now() + ttl.credentialsSeconds * 1000);
    issuedAccessKeyIds.push(issued.accessKeyId);
    issuedCredentials.push({ accessKeyId: issued.accessKeyId, expiresAt });
    const answer: Record<string, string> = {
      AccessKeyId: issued.accessKeyId,
      SecretAccessKey: issued.secretAccessKey,
      SessionToken: issued.sessionToken,
      Expiration: expiresAt.toISOString(),
    };
    if (faults.credentials === 'missing-fields') delete answer.SecretAccessKey;
    return send(response, 200, answer);
  };

  registryServer.on('request', (request, response) => {
    handleRegistry(request, response).catch((error: Error) => {
      if (!response.headersSent) send(response, 500, { message: error.message });
      else response.destroy();
    });
  });

  return {
    catalogUrl,
    registryUrl,
    faults,
    ttl,
    issueCode: (name) => state.issueCode(name),
    createApiKey: (name) => state.createApiKey(name),
    revokeAllRefreshTokens: () => state.revokeAllRefreshTokens(),
    expireAccessTokens: () => state.expireAccessTokens(),
    isRefreshTokenLive: (refreshToken) => state.isRefreshTokenLive(refreshToken),
    liveSessions: () => state.liveRefreshTokens(),
    requests,
    issuedAccessKeyIds,
    issuedCredentials,
    count: (path) => requests.filter((r) => r.path === path).length,
    stop: async () => {
      await Promise.all([close(catalogServer), close(registryServer)]);
    },
  };
}
