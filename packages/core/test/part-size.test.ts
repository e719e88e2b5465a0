import { describe, expect, it } from 'vitest';
import { choosePartSize, InvalidArgumentError } from '../src/index.js';

// The one part-size rule: the destination's limits decide, and only they. A download's ranges (no
// limits) keep whatever size was asked, however small.
const MiB = 1024 * 1024;
const objectStoreLike = { minPartSize: 5 * MiB, maxPartSize: 5 * 1024 * MiB, maxParts: 10_000 };

describe('choosePartSize', () => {
  it('keeps the asked size when the destination states no limits (1 MiB is fine)', () => {
    expect(choosePartSize(64 * MiB, 1 * MiB, {}, 'x')).toEqual({ partSize: 1 * MiB });
  });

  it("raises a size below the destination's smallest part, and says so", () => {
    const choice = choosePartSize(64 * MiB, 1 * MiB, objectStoreLike, 'x');
    expect(choice.partSize).toBe(5 * MiB);
    expect(choice.adjusted).toMatch(/smallest part/);
  });

  it('grows parts in whole MiB to fit the most parts, and clamps to the largest part', () => {
    const choice = choosePartSize(100_000 * MiB, 8 * MiB, objectStoreLike, 'x');
    expect(choice.partSize % MiB).toBe(0);
    expect(Math.ceil((100_000 * MiB) / choice.partSize)).toBeLessThanOrEqual(10_000);
    expect(choosePartSize(10 * 1024 * MiB, 6 * 1024 * MiB, objectStoreLike, 'x').partSize).toBe(
      5 * 1024 * MiB,
    );
  });

  it('refuses what no part size can fit, and sizes that are not byte counts', () => {
    expect(() => choosePartSize(100, 10, { maxParts: 2, maxPartSize: 20 }, 'x')).toThrow(
      InvalidArgumentError,
    );
    expect(() => choosePartSize(100, 0, {}, 'x')).toThrow(InvalidArgumentError);
    expect(() => choosePartSize(100, 10, { maxObjectSize: 50 }, 'x')).toThrow(/largest object/);
  });
});
