/**
 * Compare keys by their UTF-8 bytes, the order S3 lists in. UTF-8 byte order is code point order;
 * JS `<` compares UTF-16 units, which agrees except where a surrogate (U+D800–DFFF, half of a code
 * point above U+FFFF) meets a unit in U+E000–FFFF. Shifting those two ranges past each other at the
 * first difference gives code point order without encoding either string: a sort of 1,000 names
 * made two Buffers per comparison before.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return inCodePointOrder(x) - inCodePointOrder(y);
  }
  return a.length - b.length;
}

/** A UTF-16 unit moved so that surrogates sort above every other unit, as their code points do. */
function inCodePointOrder(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}
