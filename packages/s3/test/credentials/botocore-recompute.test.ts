import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type AwsStandInHandle, startAwsStandIn } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  caseEnvironment,
  loadReferenceCases,
  materialize,
  type ReferenceCase,
  referenceCasesDir,
} from './support/reference-cases.js';

/**
 * Asks botocore itself, case by case, against the same local stand-in the resolver is tested
 * against, and checks that it still answers what the case files record. Opt-in: it runs only when
 * `BOTOCORE_PYTHON` names a Python interpreter that can import botocore (the cases were computed
 * with 1.43.11). With `BOTOCORE_WRITE=1` it instead writes botocore's answers into the cases this
 * project computed itself (`"computedBy": "stowage"`), never into the ones it was given.
 */
const python = process.env.BOTOCORE_PYTHON;
const write = process.env.BOTOCORE_WRITE === '1';
const driver = fileURLToPath(new URL('../fixtures/botocore/botocore_case.py', import.meta.url));
const run = promisify(execFile);
const dir = referenceCasesDir();
const cases = python ? loadReferenceCases(dir) : [];
let standIn: AwsStandInHandle;

/** Put the placeholders back where a concrete path or URL was, so answers can be stored and compared. */
function abstract<T>(value: T, vars: { HOME: string; DIR: string; ENDPOINT: string }): T {
  let text = JSON.stringify(value);
  for (const [name, concrete] of Object.entries(vars)) {
    const escaped = JSON.stringify(concrete).slice(1, -1);
    text = text.split(escaped).join(`\${${name}}`);
  }
  return JSON.parse(text) as T;
}

beforeAll(async () => {
  if (python) standIn = await startAwsStandIn();
});
afterAll(async () => {
  await standIn?.close();
});

describe.skipIf(!python)('botocore itself answers as the reference cases record', () => {
  it.each(cases.map(({ file, testCase }) => [file, testCase] as const))(
    'botocore recompute %s',
    async (file, testCase: ReferenceCase) => {
      const { home, dir: work, concrete } = await materialize(testCase, standIn.url);
      const vars = { HOME: home, DIR: work, ENDPOINT: standIn.url };
      try {
        standIn.clearLog();
        const input = join(work, '.botocore-case.json');
        await writeFile(input, JSON.stringify({ profile: concrete.profile, client: concrete.client }));
        const { stdout } = await run(python!, [driver, input], {
          env: caseEnvironment(concrete.env, home),
          cwd: work,
          timeout: 60_000,
        });
        const answer = JSON.parse(stdout) as { botocore: string; expect: ReferenceCase['expect'] };
        const got = abstract(answer.expect, vars);
        const requests = abstract(standIn.requests, vars);
        if (write && testCase.computedBy === 'stowage') {
          const path = join(dir, file);
          const stored = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
          const updated = { ...stored, expect: got, endpointRequests: requests, botocore: answer.botocore };
          writeFileSync(path, `${JSON.stringify(updated, null, 2)}\n`);
          return;
        }
        const { message: _ignored, ...wanted } = testCase.expect as { message?: string };
        const { message: _alsoIgnored, ...answered } = got as { message?: string };
        expect(answered).toEqual(wanted);
        expect(requests).toEqual(testCase.endpointRequests);
      } finally {
        await rm(home, { recursive: true, force: true });
        await rm(work, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
