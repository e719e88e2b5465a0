// Bundles the compiled CLI (dist/) into bundle/, what the `stowage` binary runs. `build` runs it
// after tsc, and `prepack` again, so a package never ships chunks left by an earlier build.
//
// Why: Node 20 resolves, reads, compiles and links every ES module one by one. The CLI's start-up
// graph holds ~160 of them (and an S3 command adds the AWS SDK's hundreds): `ls` of a
// 1,000-file directory took 0.33 s unbundled and 0.25 s bundled, `stat s3://…` 0.48 s and 0.31 s.
// Splitting keeps what start-up must not load (the adapters, the AWS SDK, got, the catalog
// client) in chunks that load only when a command reaches their dynamic import.
//
// Everything is bundled, CommonJS included, except what is loaded lazily with createRequire:
// tsyringe and reflect-metadata (core's container) and cli-progress (the progress bars) resolve
// from this package at run time, which is why they are its dependencies too.
import { rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..');
const outdir = join(packageDir, 'bundle');
const coreDist = dirname(createRequire(import.meta.url).resolve('@stowage/core'));

// Chunk names carry content hashes: without this, every build would leave the last one's behind.
await rm(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: {
    bin: join(packageDir, 'dist', 'bin.js'),
    // core's HashingThread starts its worker from `./hashing-worker.js` beside its own module.
    'hashing-worker': join(coreDist, 'integrity', 'hashing-worker.js'),
  },
  absWorkingDir: packageDir,
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  mainFields: ['module', 'main'],
  // Bundled CommonJS modules that require Node's built-ins need a real `require` in an ES module.
  banner: {
    js: "import { createRequire as __stowageRequire } from 'node:module';\nconst require = __stowageRequire(import.meta.url);",
  },
  // Class names show in errors and logs; merging modules must not rename them.
  keepNames: true,
  // Linked to the TypeScript sources through tsc's maps; read only under --debug (see bin.ts).
  sourcemap: 'linked',
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
});

// Which sources each output holds, for the start-up test (what a command loads, by package).
const inputs = Object.fromEntries(
  Object.entries(result.metafile.outputs).map(([file, output]) => [
    relative(outdir, join(packageDir, file)),
    Object.keys(output.inputs),
  ]),
);
// HashingThread finds its worker beside its own module: a layout that separated them would fail
// only downloads of 64 MiB and more, at run time.
const outputs = Object.keys(inputs);
const starter = outputs.find((file) =>
  inputs[file].some((source) => source.endsWith('integrity/hashing-thread.js')),
);
if (!starter || !outputs.includes(join(dirname(starter), 'hashing-worker.js'))) {
  throw new Error(`bundle: hashing-worker.js is not beside ${starter ?? 'the hashing thread'}`);
}
await writeFile(join(outdir, 'inputs.json'), `${JSON.stringify(inputs)}\n`);
