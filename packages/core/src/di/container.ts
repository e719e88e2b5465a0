import { createRequire } from 'node:module';
import type * as Tsyringe from 'tsyringe';

// The one place tsyringe and its reflect polyfill are loaded. They cost about 70 ms of start-up (some
// 40 CommonJS modules) and only composition through a container needs them, so they load on the
// first `register()`, the polyfill first; createStorage and `new Storage` never pay for them.
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
