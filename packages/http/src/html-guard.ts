import { AuthenticationRequiredError } from '@stowage/core';
import { PROVIDER_NAME } from './http-errors.js';

const HTML_EXTENSIONS = new Set(['html', 'htm', 'xhtml', 'shtml', 'php', 'asp', 'aspx', 'jsp', 'cgi']);

/** Whether a `Content-Type` is an HTML page. */
export function isHtml(contentType: string | undefined): boolean {
  return contentType !== undefined && /^\s*(text\/html|application\/xhtml\+xml)\b/i.test(contentType);
}

/**
 * Whether a key names something other than a page: it ends in a file extension that is not an HTML
 * one (`granule.nc`, `data.csv`). Keys without an extension could be anything and are not judged.
 */
export function expectsNonHtml(key: string, expectedContentType?: string): boolean {
  if (expectedContentType !== undefined) return !isHtml(expectedContentType);
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1) return false;
  return !HTML_EXTENSIONS.has(name.slice(dot + 1).toLowerCase());
}

/**
 * Refuse an HTML page where data was expected: portals answer an unauthenticated download with
 * their login page and status 200, and saving it under the data's name silently corrupts a dataset
 * (earthaccess #307).
 */
export function refuseHtmlPage(
  where: string,
  key: string,
  contentType: string | undefined,
  expectedContentType?: string,
): void {
  if (!isHtml(contentType) || !expectsNonHtml(key, expectedContentType)) return;
  throw new AuthenticationRequiredError(
    `${where} answered with an HTML page (${contentType}) where ${expectedContentType ?? 'a data file'} was expected; it is most likely a login page`,
    {
      uri: where,
      provider: PROVIDER_NAME,
      hint: 'Give the HTTP provider credentials (netrcCredentials(), bearerToken(), delegatedLogin()), or set refuseHtml: false if the page is the data.',
    },
  );
}
