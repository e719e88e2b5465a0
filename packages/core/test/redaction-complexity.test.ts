import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgetSecrets, MAX_SECRETS, registerSecret } from '../src/errors/secret-registry.js';
import { PermissionDeniedError, redactSecrets } from '../src/index.js';

// A guard against O(n²) scrubbing, not a speed benchmark: the old URL user-info pattern took 80–97 s
// on 200 KB and would take hours on these 10 MB texts; a linear scrubber takes tens to hundreds of
// milliseconds. The bounds are generous (a slow, shared machine) and still orders of magnitude
// below what a quadratic pattern needs. Each input is a long run of what one pattern consumes, or
// of what makes the scanner stop and look (a name keyword, a separator, a value start).

const SIZE = 10_000_000;
const run = (unit: string) => unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE);

// Built in each test, not held all at once (22 texts of 10 MB would weigh on the collector).
const ADVERSARIAL: Record<string, () => string> = {
  'one letter': () => 'a'.repeat(SIZE),
  spaces: () => ' '.repeat(SIZE),
  'scheme-less user info': () => `://${'a'.repeat(SIZE)}`,
  'user info without @': () => `://a:${'a'.repeat(SIZE)}`,
  'scheme, then a long run': () => `https${'a'.repeat(SIZE)}://x`,
  'repeated user info starts': () => run('://a:a'),
  'unterminated JSON value': () => `"token":"${'a'.repeat(SIZE)}`,
  'repeated JSON names': () => run('"token":"'),
  'repeated escaped JSON': () => `\\"token\\":\\"${run('\\')}`,
  'repeated keywords': () => run('secretpasswordcredentialsignaturetoken'),
  'repeated name=': () => run('token='),
  'repeated name= and space': () => run('token= '),
  'repeated bare name:': () => run('token:'),
  'repeated header names': () => run('x-token: '),
  'repeated XML elements': () => run('<Token>a'),
  'unterminated XML value': () => `<SessionToken>${'a'.repeat(SIZE)}`,
  'authorization run': () => `Authorization: ${run('a ')}`,
  'query key run': () => `?key=${'a'.repeat(SIZE)}`,
  'bearer run': () => `Bearer ${'a'.repeat(SIZE)}`,
  'access key id run': () => `AKIA${'A'.repeat(SIZE)}_`,
  'repeated access key prefixes': () => run('AKIA'),
  'random-looking run': () => run('aA1'),
};

beforeAll(() => {
  for (let i = 0; i < MAX_SECRETS; i++) registerSecret(`registered-secret-${i}-${'s'.repeat(i)}`);
});
afterAll(() => forgetSecrets());

describe('scrubbing is linear (10 MB adversarial inputs)', () => {
  for (const [name, build] of Object.entries(ADVERSARIAL)) {
    it(name, () => {
      const text = build();
      let started = performance.now();
      const error = new PermissionDeniedError(text, { hint: text });
      const messageMs = performance.now() - started;
      expect(error.message.length).toBeLessThan(9000);
      started = performance.now();
      const whole = redactSecrets(text, { maxLength: Infinity, opaqueRuns: true });
      const wholeMs = performance.now() - started;
      expect(whole.length).toBeGreaterThan(0);
      // What an error does with it (cut first, then scrub the head, with a margin): well under a second.
      expect(messageMs).toBeLessThan(1000);
      // The whole text, every pass, a full registry: linear, so seconds at most even on a loaded
      // machine (about 0.1–0.8 s unloaded); a quadratic pass would need hours.
      expect(wholeMs).toBeLessThan(10_000);
    }, 60_000);
  }
});
