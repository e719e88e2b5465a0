#!/usr/bin/env node
import module from 'node:module';

// Node 22.1+ keeps the compiled code of the CLI, the AWS SDK and the rest on disk (in the OS temp
// directory; NODE_DISABLE_COMPILE_CACHE=1 turns it off): `ls s3://…` took 0.91x the time with it,
// every run after the first. Node 20 has no such cache. It must be on before the modules load,
// hence the import after it instead of static imports.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
// The binary is a bundle (scripts/bundle.mjs): with --debug, whose stacks go into bug reports,
// they name the TypeScript sources through the bundle's source maps. Only modules loaded after
// this call are mapped, and reading the maps costs start-up time, hence only then.
if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
await import('./main.js');
