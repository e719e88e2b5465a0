import { type Checksums, InvalidArgumentError } from '@stowage/core';

/** Digest files published beside data (`file.sha256`, `file.md5`), as `sha256sum`/`md5sum` write them. */
export type SidecarAlgorithm = 'sha256' | 'md5';

const HEX_LENGTH: Record<SidecarAlgorithm, number> = { sha256: 64, md5: 32 };

/**
 * The digest in a sidecar file: the first hex word of `sha256sum` output (`<hex>  name`), or of a
 * BSD-style line (`SHA256 (name) = <hex>`).
 * @throws InvalidArgumentError when no digest of the right length is there.
 */
export function parseSidecar(text: string, algorithm: SidecarAlgorithm, where: string): Checksums {
  const length = HEX_LENGTH[algorithm];
  const match = new RegExp(`(?:^|[\\s=])([0-9a-fA-F]{${length}})(?:$|\\s)`).exec(text.trim());
  if (!match) {
    throw new InvalidArgumentError(`The ${algorithm} sidecar ${where} holds no ${algorithm} digest`, {
      uri: where,
    });
  }
  const hex = match[1]!.toLowerCase();
  return algorithm === 'sha256' ? { sha256: Buffer.from(hex, 'hex').toString('base64') } : { md5Hex: hex };
}
