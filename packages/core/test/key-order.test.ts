import { describe, expect, it } from 'vitest';
import { compareKeys } from '../src/listing/key-order.js';

const sign = (n: number) => Math.sign(n);
const bytewise = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

// Characters from every range where UTF-16 and UTF-8 order could part: ASCII, '/', '-', Latin-1,
// CJK, the private-use and specials block above the surrogates, and astral code points.
const alphabet = [
  'a',
  'b',
  '-',
  '/',
  '0',
  'é',
  'ÿ',
  '中',
  '\ue000',
  '\uffee',
  '\uffff',
  '😀',
  '𝄞',
  '\u{10ffff}',
];

function randomKey(next: () => number): string {
  const length = Math.floor(next() * 5);
  let key = '';
  for (let i = 0; i < length; i++) key += alphabet[Math.floor(next() * alphabet.length)];
  return key;
}

describe('compareKeys', () => {
  it('orders as UTF-8 bytes where UTF-16 units disagree', () => {
    // U+FF5E is one UTF-16 unit above a surrogate, yet below U+1F600 in UTF-8.
    expect('\uff5e' > '😀').toBe(true);
    expect(compareKeys('\uff5e', '😀')).toBeLessThan(0);
    expect(compareKeys('😀', '\uff5e')).toBeGreaterThan(0);
    expect(compareKeys('a/x', 'a-b')).toBeGreaterThan(0);
    expect(compareKeys('a', 'ab')).toBeLessThan(0);
    expect(compareKeys('same', 'same')).toBe(0);
  });

  it('agrees with a byte-wise comparison of the UTF-8 encodings on 20,000 random pairs', () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let i = 0; i < 20_000; i++) {
      const a = randomKey(next);
      const b = next() < 0.3 ? a + randomKey(next) : randomKey(next);
      expect(sign(compareKeys(a, b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(
        sign(bytewise(a, b)),
      );
    }
  });
});
