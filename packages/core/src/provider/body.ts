import { Readable } from 'node:stream';
import type { Body } from './provider.js';

/** A stream over any accepted body type, without copying a buffer or reading a stream ahead. */
export function toReadable(body: Body): Readable {
  if (body instanceof Readable) return body;
  if (typeof body === 'string') return Readable.from([Buffer.from(body, 'utf8')], { objectMode: false });
  if (body instanceof Uint8Array)
    return Readable.from(body.length === 0 ? [] : [body], { objectMode: false });
  return Readable.from(body, { objectMode: false });
}

/** The byte length of a body when it can be known without reading it. */
export function knownLength(body: Body): number | undefined {
  if (typeof body === 'string') return Buffer.byteLength(body, 'utf8');
  if (body instanceof Uint8Array) return body.byteLength;
  return undefined;
}

/** Read a whole stream into one buffer; only for small objects (tests, `cat` of metadata files). */
export async function readAll(stream: AsyncIterable<Uint8Array | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks);
}
