import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchCase } from './bench-case.js';

/** Every case exported by a module in `cases/` (each module exports `cases`). */
export async function loadCases(): Promise<BenchCase[]> {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'cases');
  const names = (await readdir(dir)).filter((n) => n.endsWith('.js')).sort();
  const all: BenchCase[] = [];
  for (const name of names) {
    const mod = (await import(pathToFileURL(join(dir, name)).href)) as { cases?: BenchCase[] };
    all.push(...(mod.cases ?? []));
  }
  return all;
}
