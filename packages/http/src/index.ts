export { type AuthHeaders, HttpAuthenticator } from './auth/http-authenticator.js';
export {
  basicAuth,
  bearerToken,
  delegatedLogin,
  type HostScope,
  type LoginRequest,
} from './auth/http-credential-sources.js';
export {
  type NetrcEntry,
  type NetrcOptions,
  netrcCredentials,
  netrcEntryFor,
  parseNetrc,
} from './auth/netrc.js';
export type { RequestSigner, SignRequest } from './auth/request-signer.js';
export type { DownloadOptions, DownloadResult } from './download-to-file.js';
export { expectsNonHtml, isHtml } from './html-guard.js';
export { HttpClient, type HttpResponse, type SendOptions } from './http-client.js';
export { retryAfterMs, statusError } from './http-errors.js';
export type { HttpProviderOptions, HttpTimeouts } from './http-options.js';
export { HttpProvider } from './http-provider.js';
export { checksumsFromHeaders } from './integrity/digest-headers.js';
export { parseSidecar, type SidecarAlgorithm } from './integrity/sidecar.js';
export { type ProviderContainer, register } from './register.js';
