import { describe, expect, it } from 'vitest';
import {
  displayUri,
  formatUri,
  InvalidUriError,
  isWithin,
  joinUri,
  parseUri,
  relativeKey,
} from '../src/index.js';

describe('StorageUri', () => {
  it.each([
    ['s3://bucket/a//b', { scheme: 's3', bucket: 'bucket', key: 'a//b' }],
    ['s3://bucket/dir/', { scheme: 's3', bucket: 'bucket', key: 'dir/' }],
    [
      's3://bucket/with space/ünï©ødé 🚀.txt',
      { scheme: 's3', bucket: 'bucket', key: 'with space/ünï©ødé 🚀.txt' },
    ],
    ['s3://bucket/a%20b', { scheme: 's3', bucket: 'bucket', key: 'a%20b' }],
    ['s3://bucket/k?versionId=abc', { scheme: 's3', bucket: 'bucket', key: 'k', versionId: 'abc' }],
    ['s3://bucket', { scheme: 's3', bucket: 'bucket', key: '' }],
    ['mem://ns/x/y', { scheme: 'mem', bucket: 'ns', key: 'x/y' }],
    ['file:///tmp/a%20b/c', { scheme: 'file', bucket: '', key: 'tmp/a b/c' }],
    ['/tmp/x/', { scheme: 'file', bucket: '', key: 'tmp/x/' }],
    [
      'https://host:8443/p/a%20b.txt?x=1',
      { scheme: 'https', bucket: 'host:8443', key: 'p/a b.txt', query: 'x=1' },
    ],
    [
      'quilt+s3://bkt#package=user/pkg@abc123&path=data/f.csv',
      {
        scheme: 'quilt+s3',
        bucket: 'bkt',
        key: 'data/f.csv',
        packageName: 'user/pkg',
        packageHash: 'abc123',
      },
    ],
    [
      'quilt+s3://bkt#package=user/pkg:latest',
      { scheme: 'quilt+s3', bucket: 'bkt', key: '', packageName: 'user/pkg', packageTag: 'latest' },
    ],
  ])('parses %s', (input, expected) => {
    expect(parseUri(input)).toEqual(expected);
  });

  it.each([
    's3://b/a//b',
    's3://b/dir/',
    's3://b/ünï 🚀 x',
    's3://b/k?versionId=v%2F1',
    'mem://n/a b/',
    'file:///tmp/a%20b/%F0%9F%9A%80/',
    'https://h/a%20b/c?q=1',
    'quilt+s3://b#package=u/p@ff&path=x/y',
  ])('round-trips %s', (input) => {
    const parsed = parseUri(input);
    expect(parseUri(formatUri(parsed))).toEqual(parsed);
  });

  it.each([
    ['', 'is empty'],
    ['s3://', 'empty bucket'],
    ['s3:///key', 'empty bucket'],
    ['s3://b/a/../../etc', '".." segments'],
    ['mem://n/./x', '"." segments'],
    ['s3://b/a\u0000b', 'control character'],
    ['s3://b/a\nb', 'control character'],
    ['ftp://host/x', 'unknown scheme'],
    ['file://host/x', 'must be absolute'],
    ['quilt+s3://b#path=x', 'missing "package="'],
    ['quilt+s3://b#package=nouser', 'must look like'],
    ['https://', 'not a valid URL'],
  ])('rejects %j (%s)', (input, rule) => {
    let error: unknown;
    try {
      parseUri(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidUriError);
    expect((error as Error).message).toContain(rule);
    expect((error as InvalidUriError).code).toBe('InvalidUri');
  });

  it('joins and relativises without escaping the base', () => {
    const base = parseUri('s3://b/root');
    expect(joinUri(base, 'x/y').key).toBe('root/x/y');
    expect(() => joinUri(base, '../x')).toThrow(InvalidUriError);
    expect(() => joinUri(base, '/abs')).toThrow(InvalidUriError);
    expect(relativeKey(base, parseUri('s3://b/root/x/y'))).toBe('x/y');
    expect(() => relativeKey(base, parseUri('s3://b/rootless/x'))).toThrow(InvalidUriError);
    expect(isWithin(parseUri('s3://b/a/'), parseUri('s3://b/a/b'))).toBe(true);
    expect(isWithin(parseUri('s3://b/a/'), parseUri('s3://b/ab'))).toBe(false);
  });

  it('never displays URL credentials or signatures', () => {
    const shown = displayUri(
      'https://user:hunter2@host/p?X-Amz-Signature=deadbeef&X-Amz-Credential=AKIAABCDEFGHIJKLMNOP%2F2024',
    );
    expect(shown).not.toContain('hunter2');
    expect(shown).not.toContain('deadbeef');
    expect(shown).not.toContain('AKIAABCDEFGHIJKLMNOP');
    let message = '';
    try {
      parseUri('https://user:hunter2@host/a\u0001');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).not.toContain('hunter2');
  });
});
