// A custom adapter in ~80 lines (src/zip-provider.ts), used through Storage like any built-in one.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStorage, FsProvider } from '@stowage/core';
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
  const zip = new ZipProvider();
  await zip.mount('dataset', archive);
  const storage = createStorage({ providers: [new FsProvider(), zip] });

  for await (const entry of storage.list('zip://dataset/', { recursive: true }))
    console.log(`zip entry: ${entry.key}`);
  const result = await storage.copyTree('zip://dataset/data/', `${dir}/out/`);
  console.log(
    `copied ${result.files} files out of the archive: ${await readFile(join(dir, 'out/b.csv'), 'utf8')}`.trim(),
  );
  await storage
    .write('zip://dataset/new.txt', 'x')
    .catch((e: Error & { code?: string }) => console.log(`write refused: ${e.code}`));
} finally {
  await rm(dir, { recursive: true, force: true });
}
