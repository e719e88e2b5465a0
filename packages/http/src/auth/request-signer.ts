/** What a {@link RequestSigner} sees of a request. */
export interface SignRequest {
  /** HTTP method, upper-case (`GET`, `PUT`, …). */
  method: string;
  /** The URL without user info. */
  url: URL;
  /** Headers so far (credentials not included). */
  headers: Readonly<Record<string, string>>;
  /** `initial`, or `unauthorized` when the previous attempt got a 401 (log in again, then sign). */
  reason: 'initial' | 'unauthorized';
  /** Aborts with the request; pass it to any login or network call the signer makes. */
  signal?: AbortSignal;
}

/**
 * A user function that signs a request or logs in on demand and returns headers to add (an
 * `Authorization` value, an API key, a signature). Called before each request and re-run once after
 * a 401. Its headers are dropped on a redirect to another host.
 */
export type RequestSigner = (
  request: SignRequest,
) => Record<string, string> | undefined | Promise<Record<string, string> | undefined>;
