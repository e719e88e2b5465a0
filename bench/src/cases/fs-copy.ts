import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createStorage } from '@stowage/core';
import type { BenchCase, BenchEnv } from '../bench-case.js';

const target = (env: BenchEnv, tool: string) => join(env.workDir, `fs-copy-${tool}.out`);
const clean = (tool: string) => async (env: BenchEnv) => rm(target(env, tool), { force: true });
const size = (env: BenchEnv) => env.files['file-1GiB']!.bytes;

/** 1 GiB file copied on local disk: Stowage streaming, Stowage's default (copy_file_range), and a bare Node pipeline. */
export const cases: BenchCase[] = [
  {
    id: 'fs-copy-1GiB/stowage-stream',
    group: 'fs-copy-1GiB',
    tool: 'stowage',
    bytes: size,
    prepare: clean('stowage'),
    async run(env) {
      await createStorage().copy(env.files['file-1GiB']!.path, target(env, 'stowage'), { forceStream: true });
    },
  },
  {
    id: 'fs-copy-1GiB/stowage-native',
    group: 'fs-copy-1GiB',
    tool: 'stowage-native',
    bytes: size,
    prepare: clean('native'),
    async run(env) {
      await createStorage().copy(env.files['file-1GiB']!.path, target(env, 'native'));
    },
  },
  {
    id: 'fs-copy-1GiB/node-pipeline',
    group: 'fs-copy-1GiB',
    tool: 'node-pipeline',
    bytes: size,
    prepare: clean('node'),
    async run(env) {
      await pipeline(createReadStream(env.files['file-1GiB']!.path), createWriteStream(target(env, 'node')));
    },
  },
];
