import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, PACKAGE_DIR, runCli, tempWorld } from './support/cli-harness.js';

// What the built binary loads before it does anything: the AWS SDK, got, the adapters, the catalog
// client, the progress bars and tsyringe cost most of a start-up, so `--version` and `--help` must
// load none of them, a local `ls` or `cp` only the composition (tsyringe: every storage is composed
// in a container of its own), and core must not load rxjs's whole index. Each run is
// watched by a preload (`--import`) that records every ES module the loader is asked for and, at
// exit, every CommonJS module in the require cache.
let world: Awaited<ReturnType<typeof tempWorld>>;
let preload: string;

const HOOKS = `
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.STOWAGE_TEST_LOADS, url + '\\n');
  return next(url, context);
}
`;
const PRELOAD = (hooks: string) => `
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
register(${JSON.stringify(hooks)});
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => appendFileSync(process.env.STOWAGE_TEST_LOADS, Object.keys(cache).join('\\n') + '\\n'));
`;

beforeAll(async () => {
  world = await tempWorld();
  const hooks = join(world.root, 'load-hooks.mjs');
  preload = join(world.root, 'record-loads.mjs');
  await writeFile(hooks, HOOKS);
  await writeFile(preload, PRELOAD(pathToFileURL(hooks).href));
  await mkdir(join(world.work, 'dir'));
  await writeFile(join(world.work, 'dir', 'a.txt'), 'a');
});
afterAll(async () => {
  await world?.cleanup();
});

/** Run the binary and return what it printed and every module it loaded. */
async function loadsOf(name: string, args: string[], extraEnv: Record<string, string> = {}) {
  const record = join(world.root, `${name}.loads`);
  await writeFile(record, '');
  const env = cleanEnv(world.home, {
    ...extraEnv,
    STOWAGE_TEST_LOADS: record,
    NODE_OPTIONS: `--import=${pathToFileURL(preload).href}`,
  });
  const result = await runCli(args, { env, cwd: world.work });
  const loaded = (await readFile(record, 'utf8')).split('\n').filter(Boolean);
  return { result, loaded: await unbundled(loaded) };
}

/**
 * The binary is a bundle: a loaded chunk stands for the sources esbuild put in it (the build's
 * `bundle/inputs.json`), so what a command loads is still told by package.
 */
async function unbundled(loaded: string[]): Promise<string[]> {
  const bundleDir = join(PACKAGE_DIR, 'bundle');
  const inputs = JSON.parse(await readFile(join(bundleDir, 'inputs.json'), 'utf8')) as Record<
    string,
    string[]
  >;
  return loaded.flatMap((url) => {
    const path = url.startsWith('file:') ? fileURLToPath(url) : url;
    if (!path.startsWith(`${bundleDir}${sep}`)) return [path];
    const chunk = relative(bundleDir, path);
    const sources = inputs[chunk];
    // A chunk the build did not record would count as loading nothing.
    if (!sources) throw new Error(`${chunk} was loaded but is not in bundle/inputs.json`);
    return [path, ...sources.map((source) => resolve(PACKAGE_DIR, source))];
  });
}

const HEAVY: Array<[string, RegExp]> = [
  ['the AWS SDK', /[/\\]@aws-sdk[/\\]|[/\\]@smithy[/\\]/],
  ['got', /[/\\]got[/\\]/],
  ['@stowage/s3', /packages[/\\]s3[/\\]|@stowage[/\\]s3[/\\]/],
  ['@stowage/http', /packages[/\\]http[/\\]|@stowage[/\\]http[/\\]/],
  ['@stowage/catalog', /packages[/\\]catalog[/\\]|@stowage[/\\]catalog[/\\]/],
  ['cli-progress', /[/\\]cli-progress[/\\]/],
  ['tsyringe', /[/\\]tsyringe[/\\]/],
  ['reflect-metadata', /[/\\]reflect-metadata[/\\]/],
  ["rxjs's whole index", /[/\\]rxjs[/\\]dist[/\\]cjs[/\\]index\.js$/],
];

/** What building any storage loads: its composition root. */
const COMPOSITION = ['tsyringe', 'reflect-metadata'];

function heavyIn(loaded: string[]): string[] {
  return HEAVY.filter(([, pattern]) => loaded.some((url) => pattern.test(url))).map(([name]) => name);
}

describe('stowage start-up loads only what the command needs', () => {
  it('--version', async () => {
    const { result, loaded } = await loadsOf('version', ['--version']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(
      loaded.some((url) => url.includes('bin.js')),
      'the preload recorded nothing',
    ).toBe(true);
    expect(heavyIn(loaded)).toEqual([]);
  });

  it('--help, which still lists every command', async () => {
    const { result, loaded } = await loadsOf('help', ['--help']);
    expect(result.code, result.stderr).toBe(0);
    for (const command of [
      'cp',
      'ls',
      'stat',
      'cat',
      'rm',
      'mv',
      'sync',
      'presign',
      'plan',
      'credentials',
      'catalog',
    ])
      expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    expect(heavyIn(loaded)).toEqual([]);
  });

  it('ls of a local directory', async () => {
    const { result, loaded } = await loadsOf('ls', ['ls', 'dir']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/ 1 a\.txt$/m);
    expect(heavyIn(loaded)).toEqual(COMPOSITION);
  });

  it('cp -r between local directories', async () => {
    const { result, loaded } = await loadsOf('cp', ['cp', '-r', 'dir', 'copy']);
    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(join(world.work, 'copy', 'a.txt'), 'utf8')).toBe('a');
    expect(heavyIn(loaded)).toEqual(COMPOSITION);
  });

  it('an s3:// location loads the S3 adapter (and nothing it does not need)', async () => {
    // Presigning is computed locally: no server, no network.
    const { result, loaded } = await loadsOf('presign', ['presign', 's3://bucket/key'], {
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'example-secret-key',
      AWS_DEFAULT_REGION: 'us-east-1',
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^https:\/\/bucket\.s3\.us-east-1\.amazonaws\.com\/key\?/);
    const heavy = heavyIn(loaded);
    expect(heavy).toContain('@stowage/s3');
    expect(heavy).toContain('the AWS SDK');
    expect(heavy).not.toContain('@stowage/http');
    expect(heavy).not.toContain('cli-progress');
  });
});
