import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Catalog } from '@stowage/catalog';
import { CredentialChain, createStorage, FsProvider, formatExplanation } from '@stowage/core';
import { HttpProvider } from '@stowage/http';
import {
  awsCredentialChain,
  type EnvironmentFacts,
  fixedCredentialFacts,
  fixedEnvironment,
  formatRouteExplanation,
  type RouteExplanation,
  S3Provider,
  S3Router,
  StaticDataLocator,
} from '@stowage/s3';
import { startCatalogServer, startHttpServer, startS3Server } from '@stowage/testing';
import { mib, say, step } from './print.js';
import { progressBar } from './progress-bar.js';

const BUCKET = 'quilt-demo-bucket';
const BIG = 64 * 1024 * 1024;

async function bigFile(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path);
  const chunk = randomBytes(1024 * 1024);
  for (let i = 0; i < bytes; i += chunk.length) if (!out.write(chunk)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

/**
 * Seed 000's quilt3 workflow, then seed 002's routing, on servers this process starts: a Quilt-style
 * catalog (config → login with a code → Bucket.putFile/putDir → keys → fetch → logout), where the
 * catalog hands out the S3 credentials, an S3-protocol server (s3rver) as "the cloud", and an HTTP
 * server as the bucket's public HTTPS mirror.
 */
export async function seedWorkflow(workDir: string): Promise<void> {
  step('Starting local servers (S3-protocol server, HTTPS mirror, Quilt-compatible catalog)');
  const s3 = await startS3Server({ buckets: [BUCKET] });
  const mirror = await startHttpServer({ dir: join(workDir, 'mirror') });
  const stack = await startCatalogServer({
    // s3rver knows one key id; a real stack would mint short-lived STS keys here.
    issueCredentials: () => ({
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      sessionToken: `session-${Date.now()}`,
    }),
  });
  say(`S3 ${s3.endpoint} · mirror ${mirror.baseUrl} · catalog ${stack.catalogUrl}`);
  try {
    let loginPage = '';
    const catalog = new Catalog({
      dir: join(workDir, 'catalog-state'),
      // A person reads the one-time code in the browser and pastes it (hidden); a stand-in browser does it here.
      openBrowser: (url) => {
        loginPage = url;
      },
      prompt: async () =>
        /<pre id="code">([^<]+)<\/pre>/.exec(await (await fetch(loginPage)).text())?.[1] ?? '',
      print: (line) => say(line),
    });

    step('quilt3.config(url) → catalog.config(url)');
    const config = await catalog.config(`${stack.catalogUrl}/`);
    say(`registry ${config?.registryUrl}, region ${config?.region}`);

    step('quilt3.login() → catalog.login()');
    await catalog.login();
    say(`loggedIn() = ${await catalog.loggedIn()}`);

    step('Where do the S3 credentials come from? (the chain explains itself; no secret is printed)');
    const emptyHome = join(workDir, 'home');
    await mkdir(emptyHome, { recursive: true });
    const chain = new CredentialChain(
      [catalog.credentials(), awsCredentialChain({ env: {}, homedir: emptyHome })],
      'demo',
    );
    for (const line of formatExplanation(await chain.explain()).split('\n')) say(line);

    step('Bucket("s3://…").putFile / putDir / keys');
    const bucket = await catalog.bucket(`s3://${BUCKET}`, {
      endpoint: s3.endpoint,
      forcePathStyle: true,
      s3: { checksumAlgorithm: 'off', multipartHooks: false },
    });
    const local = join(workDir, 'local');
    await mkdir(join(local, 'dir/sub'), { recursive: true });
    await writeFile(join(local, 'file.txt'), 'hello from stowage\n');
    for (const name of ['dir/a.csv', 'dir/b.csv', 'dir/sub/c.json'])
      await writeFile(join(local, name), `${name}\n`);
    await bucket.putFile('remote/path.txt', join(local, 'file.txt'));
    const tree = await bucket.putDir('remote/dir/', join(local, 'dir'));
    say(`putFile remote/path.txt; putDir remote/dir/ (${tree.files} files)`);

    await bigFile(join(local, 'big.bin'), BIG);
    const up = progressBar(`upload big.bin`);
    await bucket.putFile('remote/big.bin', join(local, 'big.bin'), { onEvent: up.onEvent });
    up.stop();
    for await (const key of bucket.keys()) say(`key: ${key}`);

    // The bucket's public HTTPS mirror serves the same bytes (as open-data buckets do).
    await mkdir(join(mirror.dir, 'remote'), { recursive: true });
    await writeFile(join(mirror.dir, 'remote/path.txt'), 'hello from stowage\n');
    const { copyFile } = await import('node:fs/promises');
    await copyFile(join(local, 'big.bin'), join(mirror.dir, 'remote/big.bin'));

    step('Fetching back through the router: S3 or the HTTPS mirror, and why');
    const scenarios: Array<[string, EnvironmentFacts]> = [
      ['running in us-east-1, beside the bucket', { cloud: 'aws', region: 'us-east-1', source: 'demo' }],
      ['running on a laptop', { cloud: 'none', source: 'demo' }],
    ];
    for (const [where, environment] of scenarios) {
      const storage = createStorage({
        providers: [
          new FsProvider(),
          new S3Provider({
            endpoint: s3.endpoint,
            forcePathStyle: true,
            region: 'us-east-1',
            credentials: chain,
            checksumAlgorithm: 'off',
            multipartHooks: false,
          }),
          new HttpProvider(),
        ],
        readRouter: new S3Router({
          environment: fixedEnvironment(environment),
          locator: new StaticDataLocator({
            mirrors: [{ s3: `s3://${BUCKET}/`, http: `${mirror.baseUrl}/` }],
            buckets: { [BUCKET]: { region: 'us-east-1' } },
          }),
          credentials: fixedCredentialFacts({ available: true, detail: 'catalog credentials' }),
        }),
      });
      say(`— ${where}:`);
      for (const line of formatRouteExplanation(
        await storage.explainRoute<RouteExplanation>(`s3://${BUCKET}/remote/big.bin`),
      ).split('\n'))
        say(`  ${line}`);
      const down = progressBar('download big.bin');
      const transfer = storage.copy(
        `s3://${BUCKET}/remote/big.bin`,
        join(workDir, 'fetched', where.replace(/\W+/g, '-'), 'big.bin'),
      );
      transfer.events$.subscribe(down.onEvent);
      transfer.events$.subscribe((e) => {
        if (e.type === 'routed') say(`  routed → ${e.route} ${e.uri} (${e.reasonCodes.join(', ')})`);
      });
      const result = await transfer;
      down.stop();
      say(
        `  fetched ${mib(result.bytes)} via ${result.decision?.route}, verified: ${result.verified.join(', ')}`,
      );
      await storage.close();
    }
    await bucket.fetch('remote/dir/', `${join(workDir, 'fetched', 'dir')}/`);
    say('Bucket.fetch remote/dir/ → a local directory, markers as directories');
    await bucket.close();

    step('quilt3.logout() → catalog.logout()');
    const out = await catalog.logout();
    say(`revoked at the registry: ${out.revoked}; loggedIn() = ${await catalog.loggedIn()}`);
    const after = await chain.explain();
    say(`credentials after logout: ${after.chosen ?? 'none'} (${after.steps[0]?.reason})`);
  } finally {
    await stack.stop();
    await mirror.close();
    await s3.close();
  }
}
