import { createRequire } from 'node:module';
import type * as Tsyringe from 'tsyringe';

// The one place tsyringe and its reflect polyfill are loaded. They cost about 50–70 ms of start-up
// (some 40 CommonJS modules) and only composition needs them, so they load on the first
// `register()` or `createStorage()`, the polyfill first, never at import (a CLI's --version).
const load = createRequire(import.meta.url);
let loaded: typeof Tsyringe | undefined;

/** tsyringe, loaded with reflect-metadata before it on first use. */
export function tsyringe(): typeof Tsyringe {
  if (!loaded) {
    load('reflect-metadata');
    loaded = load('tsyringe') as typeof Tsyringe;
  }
  return loaded;
}

export type { DependencyContainer } from 'tsyringe';
