import { AuthenticationRequiredError, InvalidConfigError, redactSecrets } from '@stowage/core';
import { jsonObject, RELOGIN, type RegistryCall, type RegistryHttp, statusError } from './registry-http.js';
import { type TokenSet, toTokenSet } from './token-store.js';

/** Where an exchange goes. */
export interface ExchangeTarget {
  /** Registry (API) URL; the call goes to `{registryUrl}/api/token`. */
  registryUrl: string;
  /** Catalog (web) URL, named in errors. */
  catalogUrl: string;
}

/**
 * `POST {registryUrl}/api/token` with the form body `refresh_token=<code or refresh token>`, as quilt3
 * and the registry expect (not JSON). The answer carries a *new* refresh token each time; the caller
 * must store it, since the registry may revoke the one just used. Sent once: a code is one-time, and
 * a refresh that is run again re-reads the stored login first (see `RegistrySession`).
 */
export async function exchangeToken(
  http: RegistryHttp,
  target: ExchangeTarget,
  presented: string,
  what: 'login' | 'token refresh',
  signal?: AbortSignal,
): Promise<TokenSet> {
  const call: RegistryCall = {
    method: 'POST',
    url: `${target.registryUrl}/api/token`,
    catalogUrl: target.catalogUrl,
    what: what === 'login' ? 'the login code exchange' : 'the access token refresh',
    form: { refresh_token: presented },
    ...(signal ? { signal } : {}),
  };
  const hint =
    what === 'login' ? 'Get a new code from the catalog (codes work once) and run login() again.' : RELOGIN;
  const answer = await http.send(call);
  if (answer.status !== 200) throw statusError(answer, call, hint);
  const json = jsonObject(answer, call, `Check the registry URL; run config(${target.catalogUrl}) again.`);
  if (json.error !== undefined) {
    const said = typeof json.error === 'string' ? redactSecrets(json.error).slice(0, 200) : 'an error';
    throw new AuthenticationRequiredError(`The catalog ${target.catalogUrl} refused ${call.what}: ${said}`, {
      uri: target.catalogUrl,
      provider: 'catalog',
      hint,
    });
  }
  // What the registry sent, plus when it arrived (the registry's own `issued_at` is not trusted).
  const { issued_at: _ignored, ...sent } = json;
  const tokens = toTokenSet({ ...sent, issued_at: Math.floor(Date.now() / 1000) });
  if (!tokens) {
    const missing = ['refresh_token', 'access_token', 'expires_at'].filter((k) => json[k] === undefined);
    throw new InvalidConfigError(
      `The catalog ${target.catalogUrl} answered ${call.what} without ${missing.length ? missing.join(', ') : 'valid token fields'}`,
      { uri: target.catalogUrl, provider: 'catalog', hint },
    );
  }
  return tokens;
}
