import { randomUUID } from 'node:crypto';
import { MemoryProvider, parseUri } from '@stowage/core';
import { describeProviderConformance } from '../src/conformance/index.js';

// One provider per behaviour, under a namespace of its own: nothing shared, nothing to clean.
describeProviderConformance('memory', () => ({
  provider: new MemoryProvider(),
  base: parseUri(`mem://conformance-${randomUUID()}/`),
}));
