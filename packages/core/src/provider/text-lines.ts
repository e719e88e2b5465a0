import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { InvalidArgumentError } from '../errors/error-types.js';

/** Longest line {@link textLines} holds by default: 1 MiB (a manifest line is far shorter). */
export const MAX_LINE_LENGTH = 1024 * 1024;

/**
 * The lines of a UTF-8 stream (a manifest, a log of JSON lines), as they arrive, without their
 * `\n` or `\r\n`. A read error rejects the iteration (readline's iterator does not pass its
 * input's errors on), stopping early destroys the stream, and a line longer than `maxLength`
 * (a file that is not text) throws instead of growing memory without bound.
 */
export async function* textLines(
  body: Readable,
  where = 'the input',
  maxLength = MAX_LINE_LENGTH,
): AsyncIterable<string> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let line = 0;
  for await (const chunk of body) {
    rest += typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    for (const text of lines) {
      line++;
      yield text.endsWith('\r') ? text.slice(0, -1) : text;
    }
    if (rest.length > maxLength)
      throw new InvalidArgumentError(`Line ${line + 1} of ${where} is longer than ${maxLength} characters`, {
        uri: where,
      });
  }
  rest += decoder.end();
  if (rest !== '') yield rest;
}
