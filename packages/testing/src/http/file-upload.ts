// PUT is where the test server must behave like a careful object store: a partial or mismatched
// upload must never replace the stored file, and create-only writes must stay exclusive under races.
// Kept apart from routing and from reads, whose rules it shares only through the ETag.

import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { link, mkdir, rename, stat, unlink } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileEtag, type WriteGenerations } from './file-validators.js';
import { fail, HttpFailure } from './http-failure.js';
import type { RecordedRequest } from './http-server.js';

/**
 * Answer a PUT of `record.key`, stored at `path`. A key ending in `/` (or empty) creates a directory
 * and accepts no body. A file is written to a temp file beside the target and moved into place only
 * once its length, `Content-MD5` and `Repr-Digest`/`Content-Digest` check out; `If-None-Match: *`
 * (create-only) and `If-Match` are honoured. Answers 201 (created) or 204 (replaced) with the new
 * ETag; throws {@link HttpFailure} for a rejected body or a lost create-only race. Counts body bytes
 * into `record.bytes`.
 */
export async function receiveUpload(
  req: IncomingMessage,
  res: ServerResponse,
  record: RecordedRequest,
  path: string,
  generations: WriteGenerations,
): Promise<void> {
  const { key } = record;
  if (key === '' || key.endsWith('/')) {
    let bytes = 0;
    for await (const chunk of req) bytes += (chunk as Buffer).length;
    if (bytes > 0) return fail(res, 400, 'a key ending in / names a directory and cannot hold data');
    await mkdir(path, { recursive: true });
    res.writeHead(201, { 'Content-Length': '0' });
    return void res.end();
  }
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) {
    req.resume();
    return fail(res, 409, 'a directory has this name');
  }
  const currentEtag = existing ? fileEtag(existing, generations.of(key)) : undefined;
  const createOnly = req.headers['if-none-match']?.trim() === '*';
  if (createOnly && existing) {
    req.resume();
    return fail(res, 412, 'already exists');
  }
  const ifMatch = req.headers['if-match'];
  if (
    ifMatch !== undefined &&
    (currentEtag === undefined || (ifMatch.trim() !== '*' && ifMatch.trim() !== currentEtag))
  ) {
    req.resume();
    return fail(res, 412, 'precondition failed');
  }
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.upload-${randomBytes(6).toString('hex')}`);
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  try {
    await pipeline(
      req,
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          record.bytes += chunk.length;
          sha256.update(chunk);
          md5.update(chunk);
          yield chunk;
        }
      },
      createWriteStream(temp),
    );
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) !== record.bytes)
      throw new HttpFailure(400, 'body shorter than Content-Length');
    const wantMd5 = req.headers['content-md5'] as string | undefined;
    if (typeof wantMd5 === 'string' && wantMd5 !== md5.digest('base64'))
      throw new HttpFailure(400, 'Content-MD5 mismatch');
    const digestHeader = req.headers['repr-digest'] ?? req.headers['content-digest'];
    const wantSha =
      typeof digestHeader === 'string' ? /sha-256=:([^:]*):/i.exec(digestHeader)?.[1] : undefined;
    if (wantSha !== undefined && wantSha !== sha256.digest('base64'))
      throw new HttpFailure(400, 'digest mismatch');
    if (createOnly) {
      // link() fails when the target exists: of racing create-only writers exactly one wins.
      await link(temp, path).catch((error: NodeJS.ErrnoException) => {
        throw error.code === 'EEXIST' ? new HttpFailure(412, 'already exists') : error;
      });
      await unlink(temp);
    } else {
      await rename(temp, path);
    }
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  generations.bump(key);
  const info = await stat(path);
  res.writeHead(existing ? 204 : 201, {
    ETag: fileEtag(info, generations.of(key)),
    'Content-Length': '0',
  });
  res.end();
}
