/**
 * Switches that make the local catalog misbehave the way real stacks and proxies do. They are read
 * on every request, so a test flips one between two calls. `undefined` means "answer correctly".
 */
export interface CatalogFaults {
  /** How `GET {catalog}/config.json` misbehaves. */
  configJson?: 'not-json' | 'html' | 'missing-registry' | 'status-500';
  /**
   * How `POST {registry}/api/token` misbehaves: a 200 carrying `error`, a non-200 status, a login
   * page instead of JSON, JSON that is not an object, or tokens with fields missing.
   */
  token?: 'error-200' | 'status-500' | 'status-401' | 'html' | 'not-json' | 'missing-fields';
  /** How `GET {registry}/api/auth/get_credentials` misbehaves (`expired`: an Expiration in the past). */
  credentials?: 'error-200' | 'status-500' | 'html' | 'not-json' | 'missing-fields' | 'expired';
  /** Issue access tokens whose `expires_at` is already in the past (the client must refresh first). */
  expiredAccessTokens?: boolean;
  /** Answer the next N bearer-authenticated calls with 401, whatever the token (server-side revocation). */
  unauthorizedCalls?: number;
  /** Refuse every refresh token at `/api/token` (one-time codes still work). */
  revokedRefreshTokens?: boolean;
  /** Delay every registry answer by this many milliseconds. */
  latencyMs?: number;
}
