// A custom adapter (src/zip-provider.ts) used through Storage like any built-in one: list it, copy
// a file and a tree out of it (verified against the entry's MD5), and see a write refused.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStorage, defineProvider, FsProvider, isStowageError } from '@stowage/core';
import { strToU8, zipSync } from 'fflate';
import { ZipProvider } from './zip-provider.js';

const dir = await mkdtemp(join(tmpdir(), 'stowage-zip-'));
try {
  const archive = join(dir, 'dataset.zip');
  await writeFile(
    archive,
    zipSync({
      'README.txt': strToU8('a small dataset\n'),
      'data/a.csv': strToU8('x,y\n1,2\n'),
      'data/b.csv': strToU8('x,y\n3,4\n'),
    }),
  );
  const zip = defineProvider(new ZipProvider());
  await zip.mount('dataset', archive);
  const storage = createStorage({ providers: [new FsProvider(), zip] });

  for await (const entry of storage.list('zip://dataset/')) console.log(`zip: ${entry.type} ${entry.key}`);

  const one = await storage.copy('zip://dataset/README.txt', `${dir}/out/`);
  console.log(`copied README.txt: ${one.bytes} bytes, ${one.strategy}, verified ${one.verified.join(' + ')}`);
  assert.ok(one.verified.includes('md5Hex'), 'the copy is checked against the MD5 the provider reports');

  const tree = await storage.copyTree('zip://dataset/data/', `${dir}/out/data/`);
  const b = await readFile(join(dir, 'out/data/b.csv'), 'utf8');
  console.log(`copied ${tree.files} files out of data/; b.csv = ${JSON.stringify(b)}`);
  assert.equal(tree.files, 2);
  assert.equal(b, 'x,y\n3,4\n');

  const refused = await storage.write('zip://dataset/new.txt', 'x').catch((error: unknown) => error);
  assert.ok(isStowageError(refused, 'Unsupported'), 'a read-only provider refuses writes');
  console.log(`write refused: [${refused.code}] ${refused.message}`);
  await storage.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
