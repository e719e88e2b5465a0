import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One botocore reference case, as `test/fixtures/botocore/README.md` defines it. */
export interface ReferenceCase {
  name: string;
  description?: string;
  files: Array<{ path: string; content: string; mode?: string }>;
  env: Record<string, string>;
  profile: string | null;
  client: { aws_access_key_id?: string; aws_secret_access_key?: string; aws_session_token?: string } | null;
  expect:
    | {
        method: string;
        accessKeyId: string;
        secretAccessKey: string;
        sessionToken: string | null;
        region: string | null;
      }
    | { none: true; region: string | null }
    | { error: string; kind: string; message?: string };
  endpointRequests: unknown[];
  /** The botocore version that answered. */
  botocore?: string;
  /** `"stowage"` on the cases this project computed itself (the others were handed to it). */
  computedBy?: string;
}

/** The project's own copy of the botocore reference cases (see `test/fixtures/botocore/README.md`). */
export const BUNDLED_CASES_DIR = fileURLToPath(new URL('../../fixtures/botocore/cases', import.meta.url));

/**
 * The folder of case files: `CREDENTIAL_CASES_DIR` when set (its `cases/` subfolder if it has one
 * and no case files itself), so another set of cases can be run; else the bundled cases.
 */
export function referenceCasesDir(): string {
  const override = process.env.CREDENTIAL_CASES_DIR;
  if (override) {
    const hasJson = readdirSync(override).some((f) => f.endsWith('.json'));
    const nested = join(override, 'cases');
    return !hasJson && existsSync(nested) && statSync(nested).isDirectory() ? nested : override;
  }
  return BUNDLED_CASES_DIR;
}

/** Every case file in the folder, read now (at collection time), sorted by file name. */
export function loadReferenceCases(dir: string): Array<{ file: string; testCase: ReferenceCase }> {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, testCase: JSON.parse(readFileSync(join(dir, file), 'utf8')) as ReferenceCase }));
}

/** Replace `${HOME}`, `${DIR}` and `${ENDPOINT}` everywhere in a JSON value. */
export function substitute<T>(value: T, vars: Record<string, string>): T {
  const text = JSON.stringify(value).replace(/\$\{(HOME|DIR|ENDPOINT)\}/g, (whole, name: string) =>
    vars[name] === undefined ? whole : JSON.stringify(vars[name]).slice(1, -1),
  );
  return JSON.parse(text) as T;
}

/** A fresh HOME and DIR with the case's files written (parents created, modes applied). */
export async function materialize(testCase: ReferenceCase, endpoint: string) {
  const home = await mkdtemp(join(tmpdir(), 'stowage-case-home-'));
  const dir = await mkdtemp(join(tmpdir(), 'stowage-case-dir-'));
  const concrete = substitute(testCase, { HOME: home, DIR: dir, ENDPOINT: endpoint });
  for (const file of concrete.files) {
    await mkdir(dirname(file.path), { recursive: true });
    await writeFile(file.path, file.content);
    if (file.mode) await chmod(file.path, Number.parseInt(file.mode, 8));
  }
  return { home, dir, concrete };
}

/** The process environment without any AWS_* / BOTO* variable, plus the case's variables and HOME. */
export function caseEnvironment(
  caseEnv: Record<string, string>,
  home: string,
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AWS_') && !key.startsWith('BOTO')) env[key] = value;
  }
  return { ...env, ...caseEnv, HOME: home };
}
