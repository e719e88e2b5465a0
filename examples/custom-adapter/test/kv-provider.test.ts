import { defineProvider, parseUri } from '@stowage/core';
import { describeProviderConformance } from '@stowage/testing';
import { KvProvider } from '../src/kv-provider.js';

// The whole adapter of docs/writing-an-adapter.md, through the whole conformance suite.
let namespace = 0;
describeProviderConformance('kv (the adapter of the guide)', async () => ({
  provider: defineProvider(new KvProvider()),
  base: parseUri(`kv://ns${namespace++}/fixture/`),
}));
