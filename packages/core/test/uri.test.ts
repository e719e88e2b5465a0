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
    // Any scheme without a form of its own is an object store's scheme://bucket/key?versionId=….
    ['store://bucket/a//b', { scheme: 'store', bucket: 'bucket', key: 'a//b' }],
    ['store://bucket/dir/', { scheme: 'store', bucket: 'bucket', key: 'dir/' }],
    [
      'store://bucket/with space/ünï©ødé 🚀.txt',
      { scheme: 'store', bucket: 'bucket', key: 'with space/ünï©ødé 🚀.txt' },
    ],
    ['store://bucket/a%20b', { scheme: 'store', bucket: 'bucket', key: 'a%20b' }],
    ['store://bucket/k?versionId=abc', { scheme: 'store', bucket: 'bucket', key: 'k', versionId: 'abc' }],
    ['store://bucket/k?x=1', { scheme: 'store', bucket: 'bucket', key: 'k?x=1' }],
    ['Ftp://host/x', { scheme: 'ftp', bucket: 'host', key: 'x' }],
    ['store://bucket', { scheme: 'store', bucket: 'bucket', key: '' }],
    ['mem://ns/x/y', { scheme: 'mem', bucket: 'ns', key: 'x/y' }],
    ['file:///tmp/a%20b/c', { scheme: 'file', bucket: '', key: 'tmp/a b/c' }],
    ['/tmp/x/', { scheme: 'file', bucket: '', key: 'tmp/x/' }],
    [
      'https://host:8443/p/a%20b.txt?x=1',
      { scheme: 'https', bucket: 'host:8443', key: 'p/a b.txt', query: 'x=1' },
    ],
  ])('parses %s', (input, expected) => {
    expect(parseUri(input)).toEqual(expected);
  });

  it.each([
    'store://b/a//b',
    'store://b/dir/',
    'store://b/ünï 🚀 x',
    'store://b/k?versionId=v%2F1',
    'mem://n/a b/',
    'file:///tmp/a%20b/%F0%9F%9A%80/',
    'https://h/a%20b/c?q=1',
  ])('round-trips %s', (input) => {
    const parsed = parseUri(input);
    expect(parseUri(formatUri(parsed))).toEqual(parsed);
  });

  it.each([
    ['', 'is empty'],
    ['store://', 'empty bucket'],
    ['store:///key', 'empty bucket'],
    ['store://b/k?versionId=', 'empty versionId'],
    ['store:b/k', 'expected "//bucket/key"'],
    ['store://b/a/../../etc', '".." segments'],
    ['mem://n/./x', '"." segments'],
    ['store://b/a\u0000b', 'control character'],
    ['store://b/a\nb', 'control character'],
    ['file://host/x', 'must be absolute'],
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
    const base = parseUri('store://b/root');
    expect(joinUri(base, 'x/y').key).toBe('root/x/y');
    expect(() => joinUri(base, '../x')).toThrow(InvalidUriError);
    expect(() => joinUri(base, '/abs')).toThrow(InvalidUriError);
    expect(relativeKey(base, parseUri('store://b/root/x/y'))).toBe('x/y');
    expect(() => relativeKey(base, parseUri('store://b/rootless/x'))).toThrow(InvalidUriError);
    expect(isWithin(parseUri('store://b/a/'), parseUri('store://b/a/b'))).toBe(true);
    expect(isWithin(parseUri('store://b/a/'), parseUri('store://b/ab'))).toBe(false);
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
