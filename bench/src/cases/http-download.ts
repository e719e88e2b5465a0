import { createWriteStream } from 'node:fs';
import { link, rm, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { HttpProvider } from '@stowage/http';
import got from 'got';
import type { BenchCase, BenchEnv } from '../bench-case.js';

const MiB = 1024 * 1024;
const FILE = 'file-1GiB';
const group = 'http-download-1GiB';
const size = (env: BenchEnv) => env.files[FILE]!.bytes;
const target = (env: BenchEnv, tool: string) => join(env.workDir, `http-download-${tool}.out`);

/** The served key of the 1 GiB fixture: its path under the HTTP server's directory (linked in if outside). */
async function keyOf(env: BenchEnv): Promise<string> {
  const { path } = env.files[FILE]!;
  const rel = relative(env.http!.dir, path);
  if (!rel.startsWith('..') && !rel.startsWith(sep)) return rel.split(sep).join('/');
  const linked = join(env.http!.dir, 'bench-http-1GiB.bin');
  if ((await stat(linked).catch(() => undefined))?.size !== env.files[FILE]!.bytes) {
    await rm(linked, { force: true });
    await link(path, linked);
  }
  return 'bench-http-1GiB.bin';
}

async function urlOf(env: BenchEnv): Promise<string> {
  return `${env.http!.baseUrl}/${(await keyOf(env)).split('/').map(encodeURIComponent).join('/')}`;
}

function httpCase(tool: string, download: (url: string, out: string) => Promise<void>): BenchCase {
  return {
    id: `${group}/${tool}`,
    group,
    tool,
    bytes: size,
    available: async (env) => env.http !== undefined,
    async prepare(env) {
      await keyOf(env);
      await rm(target(env, tool), { force: true });
    },
    async run(env) {
      const out = target(env, tool);
      await download(await urlOf(env), out);
      const written = (await stat(out)).size;
      if (written !== size(env)) throw new Error(`${tool} wrote ${written} of ${size(env)} bytes`);
    },
  };
}

/** 1 GiB from the local HTTP server: Stowage segmented (8 MiB × 4), Stowage one stream, got piped to a file. */
export const cases: BenchCase[] = [
  httpCase('stowage', async (url, out) => {
    const provider = new HttpProvider({ segmentSize: 8 * MiB, concurrency: 4 });
    await provider.downloadToFile(url, out);
    await provider.close();
  }),
  httpCase('stowage-single', async (url, out) => {
    const provider = new HttpProvider({ concurrency: 1, segmentSize: Number.MAX_SAFE_INTEGER });
    await provider.downloadToFile(url, out);
    await provider.close();
  }),
  httpCase('got', async (url, out) => {
    await pipeline(got.stream(url), createWriteStream(out));
  }),
];
