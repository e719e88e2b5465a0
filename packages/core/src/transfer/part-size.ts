import { InvalidArgumentError } from '../errors/error-types.js';
import type { Limits } from '../provider/capabilities.js';

const MiB = 1024 * 1024;

/** Part size of multipart uploads unless the caller sets one: 8 MiB. */
export const DEFAULT_PART_SIZE = 8 * MiB;

/** What {@link choosePartSize} decided, and whether it had to move away from what was asked. */
export interface PartSizeChoice {
  /** Bytes per part (the last part may be shorter). */
  partSize: number;
  /** Why the asked size was changed, for a `warning` event; absent when it was kept. */
  adjusted?: string;
}

/**
 * The one part-size rule, for every multipart upload (engine copies and provider writes alike):
 * the preferred size, raised to the destination's smallest part, grown in whole MiB until `size`
 * fits its most parts, never above its largest part. Only the destination's `limits` count: a
 * download's ranges have no part limits, so `--part-size 1MiB` is fine there.
 * @param size Object size, when known (a stream of unknown length keeps the preferred size, and
 *   fails at the part past `maxParts` with a clear error).
 * @throws InvalidArgumentError when the object exceeds the destination's largest object or cannot
 *   be cut within its limits, or `preferred` is not a positive whole number of bytes.
 */
export function choosePartSize(
  size: number | undefined,
  preferred: number,
  limits: Readonly<Limits>,
  where: string,
): PartSizeChoice {
  if (!Number.isSafeInteger(preferred) || preferred < 1) {
    throw new InvalidArgumentError(`partSize ${preferred} is not a positive number of bytes`, { uri: where });
  }
  if (size !== undefined && limits.maxObjectSize !== undefined && size > limits.maxObjectSize) {
    throw new InvalidArgumentError(
      `${where}: ${size} bytes exceed the largest object the destination stores (${limits.maxObjectSize} bytes)`,
      { uri: where },
    );
  }
  let partSize = preferred;
  const notes: string[] = [];
  if (limits.minPartSize !== undefined && partSize < limits.minPartSize) {
    partSize = limits.minPartSize;
    notes.push(`raised to the destination's smallest part, ${limits.minPartSize} bytes`);
  }
  if (size !== undefined && limits.maxParts !== undefined && Math.ceil(size / partSize) > limits.maxParts) {
    partSize = Math.ceil(Math.ceil(size / limits.maxParts) / MiB) * MiB;
    notes.push(`grown to ${partSize} bytes to fit ${limits.maxParts} parts`);
  }
  if (limits.maxPartSize !== undefined && partSize > limits.maxPartSize) {
    if (size !== undefined && limits.maxParts !== undefined && size > limits.maxPartSize * limits.maxParts) {
      throw new InvalidArgumentError(
        `${where}: ${size} bytes cannot be cut into at most ${limits.maxParts} parts of at most ${limits.maxPartSize} bytes`,
        { uri: where },
      );
    }
    partSize = limits.maxPartSize;
    notes.push(`lowered to the destination's largest part, ${limits.maxPartSize} bytes`);
  }
  return notes.length === 0
    ? { partSize }
    : { partSize, adjusted: `partSize ${preferred} ${notes.join(', then ')}` };
}
