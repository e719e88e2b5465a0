/** Compare keys by their UTF-8 bytes, the order S3 lists in (JS `<` compares UTF-16 units and differs above U+FFFF). */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
