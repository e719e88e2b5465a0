import {
  AbortedError,
  ChecksumMismatchError,
  DownloadCapExceededError,
  NotFoundError,
  PermissionDeniedError,
  TimeoutError,
} from '@stowage/core';
import { describe, expect, it } from 'vitest';
import {
  classifyS3Failure,
  FALLBACK_TABLE,
  type RouteFacts,
  route,
  shouldFallBack,
} from '../../src/index.js';

const facts = (mirror = true): RouteFacts => ({
  data: {
    requested: 's3://b/k',
    s3: { bucket: 'b', key: 'k', uri: 's3://b/k' },
    ...(mirror ? { mirror: { url: 'https://m.example/k', source: 'mapping' } } : {}),
  },
  environment: { cloud: 'aws', region: 'us-west-2', source: 'option' },
  bucket: { bucket: 'b', region: 'us-west-2', regionSource: 'option' },
});
const s3 = route(facts());

/** An SDK-v3-shaped S3 error, as the client throws it. */
function sdkError(name: string, status: number, headers: Record<string, string> = {}): Error {
  return Object.assign(new Error(`${name} from S3`), {
    name,
    $metadata: { httpStatusCode: status },
    $response: { statusCode: status, headers },
  });
}

describe('runtime fallback table', () => {
  it.each([
    ['PermissionDenied (403)', new PermissionDeniedError('Access Denied for s3://b/k'), 'S3_ACCESS_DENIED'],
    ['NotFound (404, not mirrored to S3)', new NotFoundError('NoSuchKey s3://b/k'), 'S3_NOT_FOUND'],
    ['Timeout after retries', new TimeoutError('timed out'), 'S3_UNAVAILABLE'],
    ['raw SDK 503 SlowDown', sdkError('SlowDown', 503), 'S3_UNAVAILABLE'],
    ['raw SDK 403 AccessDenied', sdkError('AccessDenied', 403), 'S3_ACCESS_DENIED'],
    [
      'a wrapped 403 (cause chain)',
      new Error('read failed', { cause: sdkError('AccessDenied', 403) }),
      'S3_ACCESS_DENIED',
    ],
  ])('%s falls back to the mirror with a warning', (_label, error, code) => {
    const advice = shouldFallBack(error, s3, {});
    expect(advice.action).toBe('fallback');
    if (advice.action !== 'fallback') return;
    expect(advice.code).toBe(code);
    expect(advice.decision).toMatchObject({ route: 'http', uri: 'https://m.example/k', metered: false });
    expect(advice.decision.reasons[0]!.code).toBe(code);
    expect(advice.warning).toMatch(/falling back to the HTTPS mirror/);
  });

  it('a region redirect re-decides once with the region, then falls back', () => {
    const redirect = sdkError('PermanentRedirect', 301, { 'x-amz-bucket-region': 'eu-central-1' });
    expect(classifyS3Failure(redirect)).toEqual({
      kind: 'wrong-region',
      region: 'eu-central-1',
      name: 'PermanentRedirect',
    });
    expect(shouldFallBack(redirect, s3)).toMatchObject({
      action: 'redecide',
      bucket: 'b',
      region: 'eu-central-1',
    });
    expect(shouldFallBack(redirect, s3, {}, { redecided: true })).toMatchObject({
      action: 'fallback',
      code: 'S3_WRONG_REGION',
    });
  });

  it('expired credentials refresh once, then fall back', () => {
    const expired = sdkError('ExpiredToken', 400);
    expect(shouldFallBack(expired, s3).action).toBe('refresh-credentials');
    expect(shouldFallBack(expired, s3, {}, { credentialsRefreshed: true })).toMatchObject({
      action: 'fallback',
      code: 'S3_CREDENTIALS_EXPIRED',
    });
  });

  it('never falls back for writes, HTTP routes, aborts, bad data, no mirror, or fallback none', () => {
    const denied = new PermissionDeniedError('denied');
    expect(shouldFallBack(denied, s3, {}, { operation: 'write' })).toMatchObject({
      action: 'throw',
      why: /writes/,
    });
    expect(shouldFallBack(denied, route(facts(), { preferHttp: true })).action).toBe('throw');
    expect(shouldFallBack(new AbortedError(), s3).action).toBe('throw');
    expect(shouldFallBack(new ChecksumMismatchError('bad digest'), s3).action).toBe('throw');
    expect(shouldFallBack(denied, route(facts(false)))).toMatchObject({
      action: 'throw',
      why: /no HTTPS mirror/,
    });
    expect(shouldFallBack(denied, s3, { fallback: 'none' })).toMatchObject({
      action: 'throw',
      why: /'none'/,
    });
  });

  it("a hard-cap stop falls back only when capAction is 'http'", () => {
    const cap = new DownloadCapExceededError('cap reached');
    expect(shouldFallBack(cap, s3).action).toBe('throw');
    expect(shouldFallBack(cap, s3, { capAction: 'http' })).toMatchObject({
      action: 'fallback',
      code: 'CAP_WOULD_EXCEED',
    });
  });

  it('has one row per failure kind and keeps secrets out of warnings', () => {
    expect(new Set(FALLBACK_TABLE.map((r) => r.kind)).size).toBe(FALLBACK_TABLE.length);
    const leaky = new PermissionDeniedError(
      'denied https://b.s3.amazonaws.com/k?X-Amz-Signature=deadbeefcafe&X-Amz-Credential=AKIAEXAMPLE',
    );
    const advice = shouldFallBack(leaky, s3);
    expect(JSON.stringify(advice)).not.toContain('deadbeefcafe');
  });
});
