import { randomBytes } from 'node:crypto';

/** A user of the local catalog. */
export interface CatalogUser {
  /** User name, reported as `current_user` by `/api/me`. */
  name: string;
  /** E-mail address, reported by `/api/me`. */
  email: string;
  /** Whether the user is an admin, reported as `is_staff`. */
  isAdmin: boolean;
}

/** One login: a refresh token that rotates, and the access tokens issued from it. */
interface LoginSession {
  id: string;
  user: CatalogUser;
  refreshToken: string;
  accessTokens: Set<string>;
}

interface AccessGrant {
  session: LoginSession;
  expiresAt: number;
}

/** A token set as `/api/token` returns it. */
export interface IssuedTokens {
  /** The new refresh token; the one presented stops working. */
  refresh_token: string;
  /** Bearer token for registry calls. */
  access_token: string;
  /** Epoch seconds. */
  expires_at: number;
}

/** Who a bearer token belongs to, or why it is refused. */
export type BearerCheck =
  | {
      /** The token is accepted. */
      ok: true;
      /** Whom it belongs to. */
      user: CatalogUser;
      /** The login session it was issued from (absent for an API key). */
      sessionId?: string;
      /** Whether the token is an API key. */
      apiKey: boolean;
    }
  | {
      /** The token is refused. */
      ok: false;
      /** Why, as the registry words it in a 401. */
      message: string;
    };

function token(prefix: string, bytes = 24): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}

/**
 * The registry's memory: users, one-time codes, login sessions with rotating refresh tokens,
 * access tokens with expiry, and API keys. Revocation and rotation behave as a real registry's do,
 * so client code that forgets to store a rotated token fails here too.
 */
export class RegistryState {
  /** Known users by name; codes and keys for an unknown name create one. */
  readonly users = new Map<string, CatalogUser>();
  private readonly codes = new Map<string, CatalogUser>();
  private readonly byRefresh = new Map<string, LoginSession>();
  private readonly byAccess = new Map<string, AccessGrant>();
  private readonly apiKeys = new Map<string, CatalogUser>();
  private sessions = 0;

  constructor(
    /** The user codes and API keys are for when no name is given. */
    readonly defaultUser: CatalogUser,
  ) {
    this.users.set(defaultUser.name, defaultUser);
  }

  private user(name: string | undefined): CatalogUser {
    const found = this.users.get(name ?? this.defaultUser.name);
    if (found) return found;
    const created = { name: name!, email: `${name}@example.com`, isAdmin: false };
    this.users.set(created.name, created);
    return created;
  }

  /** A one-time code, as the catalog's `/code` page shows it to a signed-in user. */
  issueCode(userName?: string): string {
    const code = token('code-', 18);
    this.codes.set(code, this.user(userName));
    return code;
  }

  /** An API key (`qk_…`), as `quilt3.api_keys.create()` would return. */
  createApiKey(userName?: string): string {
    const key = token('qk_', 24);
    this.apiKeys.set(key, this.user(userName));
    return key;
  }

  /** Exchange a one-time code or a refresh token; the used refresh token is revoked (rotation). */
  exchange(
    presented: string,
    accessTtlSeconds: number,
    refuseRefreshTokens: boolean,
  ): IssuedTokens | { error: string } {
    const codeUser = this.codes.get(presented);
    let session: LoginSession | undefined;
    if (codeUser) {
      this.codes.delete(presented);
      session = {
        id: `s${++this.sessions}`,
        user: codeUser,
        refreshToken: '',
        accessTokens: new Set(),
      };
    } else {
      session = this.byRefresh.get(presented);
      if (!session || refuseRefreshTokens) return { error: 'Invalid or revoked refresh token' };
      this.byRefresh.delete(presented);
    }
    session.refreshToken = token('refresh-');
    this.byRefresh.set(session.refreshToken, session);
    const accessToken = token('access-');
    const expiresAt = Math.floor(Date.now() / 1000) + accessTtlSeconds;
    session.accessTokens.add(accessToken);
    this.byAccess.set(accessToken, { session, expiresAt: expiresAt * 1000 });
    return { refresh_token: session.refreshToken, access_token: accessToken, expires_at: expiresAt };
  }

  /** Check an `Authorization` header value. */
  check(header: string | undefined): BearerCheck {
    const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (!match) return { ok: false, message: 'Authorization header missing' };
    const presented = match[1]!;
    const keyUser = this.apiKeys.get(presented);
    if (keyUser) return { ok: true, user: keyUser, apiKey: true };
    const grant = this.byAccess.get(presented);
    if (!grant) return { ok: false, message: 'Token could not be deserialized' };
    if (grant.expiresAt <= Date.now())
      return { ok: false, message: 'Outdated access token: please log in again' };
    return { ok: true, user: grant.session.user, sessionId: grant.session.id, apiKey: false };
  }

  /** Revoke one login session: its refresh token and every access token issued from it. */
  revokeSession(sessionId: string): void {
    for (const session of this.byRefresh.values()) {
      if (session.id !== sessionId) continue;
      this.byRefresh.delete(session.refreshToken);
      for (const access of session.accessTokens) this.byAccess.delete(access);
    }
  }

  /** Revoke every refresh token (as an administrator resetting a user would). */
  revokeAllRefreshTokens(): void {
    this.byRefresh.clear();
  }

  /** Make every access token issued so far expired. */
  expireAccessTokens(): void {
    for (const grant of this.byAccess.values()) grant.expiresAt = Date.now() - 1000;
  }

  /** How many refresh tokens are live (0 after every session logged out). */
  liveRefreshTokens(): number {
    return this.byRefresh.size;
  }

  /** True when the refresh token is still accepted. */
  isRefreshTokenLive(refreshToken: string): boolean {
    return this.byRefresh.has(refreshToken);
  }
}
