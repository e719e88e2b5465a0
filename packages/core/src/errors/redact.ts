// Secrets reach messages through URLs (presigned query strings, user:pass@host), headers echoed by
// servers, and INI lines. Scrubbing at the point where an error or event is built means no caller has
// to remember to do it.
const PATTERNS: Array<[RegExp, string]> = [
  // user:password@ in URLs
  [/([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi, '$1***:***@'],
  // SigV4 / SigV2 query-string auth and tokens in URLs
  [
    /([?&](?:X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|Signature|AWSAccessKeyId|access_token|token|refresh_token|api_key|apikey|key)=)[^&\s#"']*/gi,
    '$1***',
  ],
  // Authorization headers and bearer tokens
  [/(Authorization\s*[:=]\s*)(?:[A-Za-z0-9-]+\s+)?[^\s,"']+/gi, '$1***'],
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]+/g, '$1***'],
  // INI / env style assignments of secret-bearing names
  [
    /((?:aws_secret_access_key|aws_session_token|aws_security_token|secret_access_key|session_token|secretAccessKey|sessionToken|refresh_token|access_token|password)\s*[=:]\s*"?)[^\s",}]+/gi,
    '$1***',
  ],
  // AWS access key ids (long-term and temporary)
  [/\b(?:AKIA|ASIA)[A-Z0-9]{12,}\b/g, '***'],
];

/** Remove credentials, tokens and signatures from a string meant for a message or a log line. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
