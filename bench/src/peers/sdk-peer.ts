import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

// The raw AWS SDK as a whole process, the way a small script would use it (the peer rows'
// `aws-sdk` tool): lib-storage Upload (8 MiB parts, 4 in flight), one GetObject stream per
// object, 8 files in flight for trees. Endpoint and keys come from BENCH_PEER_* variables.
//   node sdk-peer.js version | up <file> <bucket> <key> | down <bucket> <key> <file>
//                    | up-tree <dir> <bucket> <prefix> | down-tree <bucket> <prefix> <dir>
const PART = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 4;
const FILES_IN_FLIGHT = 8;

function client(): S3Client {
  return new S3Client({
    endpoint: process.env.BENCH_PEER_ENDPOINT!,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: {
      accessKeyId: process.env.BENCH_PEER_KEY_ID!,
      secretAccessKey: process.env.BENCH_PEER_SECRET!,
    },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

async function upload(c: S3Client, file: string, bucket: string, key: string): Promise<void> {
  await new Upload({
    client: c,
    params: { Bucket: bucket, Key: key, Body: createReadStream(file) },
    partSize: PART,
    queueSize: PARTS_IN_FLIGHT,
  }).done();
}

async function download(c: S3Client, bucket: string, key: string, file: string): Promise<void> {
  const got = await c.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  await pipeline(got.Body as Readable, createWriteStream(file));
}

async function main(): Promise<void> {
  const [what, a, b, d] = process.argv.slice(2);
  if (what === 'version') {
    client().destroy();
    const { createRequire } = await import('node:module');
    console.log(createRequire(import.meta.url)('@aws-sdk/client-s3/package.json').version);
    return;
  }
  const c = client();
  try {
    if (what === 'up') await upload(c, a!, b!, d!);
    else if (what === 'down') {
      await mkdir(dirname(d!), { recursive: true });
      await download(c, a!, b!, d!);
    } else if (what === 'up-tree') {
      const names = (await readdir(a!)).sort();
      await pool(names, FILES_IN_FLIGHT, (name) => upload(c, join(a!, name), b!, `${d}${name}`));
    } else if (what === 'down-tree') {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await c.send(
          new ListObjectsV2Command({ Bucket: a!, Prefix: b!, ContinuationToken: token }),
        );
        for (const o of page.Contents ?? []) keys.push(o.Key!);
        token = page.NextContinuationToken;
      } while (token);
      await mkdir(d!, { recursive: true });
      await pool(keys, FILES_IN_FLIGHT, (key) => download(c, a!, key, join(d!, key.slice(b!.length))));
    } else throw new Error(`unknown command ${what}`);
  } finally {
    c.destroy();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
