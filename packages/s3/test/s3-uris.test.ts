import { createStorage, FsProvider, formatUri, InvalidUriError, parseUri } from '@stowage/core';
import { afterAll, describe, expect, it } from 'vitest';
import { S3Provider } from '../src/index.js';

// s3:// URIs are core's generic object-store form; a storage with the S3 provider reads them so.
const storage = createStorage({
  providers: [
    new FsProvider(),
    new S3Provider({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      credentials: { name: 'none', resolve: async () => undefined },
    }),
  ],
});
afterAll(() => storage.close());
const parsers = [
  ['parseUri', parseUri],
  ['a storage with the S3 provider', (input: string) => storage.parseUri(input)],
] as const;

describe.each(parsers)('s3:// URIs through %s', (_name, parse) => {
  it.each([
    ['s3://bucket/a//b', { scheme: 's3', bucket: 'bucket', key: 'a//b' }],
    ['s3://bucket/dir/', { scheme: 's3', bucket: 'bucket', key: 'dir/' }],
    [
      's3://bucket/with space/ünï©ødé 🚀.txt',
      { scheme: 's3', bucket: 'bucket', key: 'with space/ünï©ødé 🚀.txt' },
    ],
    ['s3://bucket/a%20b', { scheme: 's3', bucket: 'bucket', key: 'a%20b' }],
    ['s3://bucket/a?b#c', { scheme: 's3', bucket: 'bucket', key: 'a?b#c' }],
    ['s3://bucket/k?versionId=abc', { scheme: 's3', bucket: 'bucket', key: 'k', versionId: 'abc' }],
    ['S3://bucket', { scheme: 's3', bucket: 'bucket', key: '' }],
  ])('parses %s with the key verbatim', (input, expected) => {
    expect(parse(input)).toEqual(expected);
  });

  it.each(['s3://b/a//b', 's3://b/dir/', 's3://b/ünï 🚀 x', 's3://b/k?versionId=v%2F1'])(
    'round-trips %s',
    (input) => {
      const parsed = parse(input);
      expect(parse(formatUri(parsed))).toEqual(parsed);
    },
  );

  it.each([
    ['s3://', 'empty bucket'],
    ['s3:///key', 'empty bucket'],
    ['s3://b/k?versionId=', 'empty versionId'],
    ['s3://b/a/../../etc', '".." segments'],
    ['s3://b/./x', '"." segments'],
    ['s3://b/a\u0000b', 'control character'],
    ['s3://b/a\nb', 'control character'],
  ])('rejects %j (%s)', (input, rule) => {
    let error: unknown;
    try {
      parse(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidUriError);
    expect((error as Error).message).toContain(rule);
  });
});
