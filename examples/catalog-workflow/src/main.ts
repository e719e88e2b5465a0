// The seed's quilt3 workflow in TypeScript, end to end, on this machine only:
//
//   quilt3.config(url); quilt3.login(); quilt3.logged_in()
//   b = quilt3.Bucket("s3://bucket"); b.put_file(...); b.keys(); b.fetch(...); quilt3.logout()
//
// It starts a local Quilt-compatible catalog and a local S3 server (s3rver), keeps the catalog's
// state in a temp directory (your real login is never touched), and stops everything at the end.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Catalog } from '@stowage/catalog';
import { CredentialChain, formatExplanation } from '@stowage/core';
import { startCatalogServer, startS3Server } from '@stowage/testing';

const BUCKET = 'your-bucket-name';

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'stowage-catalog-example-'));
  const s3 = await startS3Server({ buckets: [BUCKET] });
  // The catalog hands out short-lived S3 keys; s3rver accepts only its own key id, so those are issued.
  const stack = await startCatalogServer({
    issueCredentials: () => ({
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      sessionToken: `session-${Date.now()}`,
    }),
  });
  let loginUrl = '';
  try {
    const catalog = new Catalog({
      dir: join(work, 'catalog-state'),
      // A person would read the code in the browser and paste it (hidden) into the terminal. Here a
      // stand-in "browser" opens {registryUrl}/login, follows it to the catalog's code page and copies it.
      openBrowser: (url) => {
        console.log(`(browser) opening ${url}`);
        loginUrl = url;
      },
      prompt: async () => {
        const page = await (await fetch(loginUrl)).text();
        return /<pre id="code">([^<]+)<\/pre>/.exec(page)?.[1] ?? '';
      },
      print: (line) => console.log(line),
    });

    // 1. quilt3.config('https://your-catalog-url.com/')
    const config = await catalog.config(`${stack.catalogUrl}/`);
    console.log(
      `configured catalog ${config?.navigator_url} (registry ${config?.registryUrl}, region ${config?.region})`,
    );

    // 2. quilt3.login()
    await catalog.login();
    // 3. quilt3.logged_in()
    console.log(`logged in: ${await catalog.loggedIn()} as ${(await catalog.whoami()).name}`);

    // The catalog's S3 credentials join a chain only where you put them; explain() shows which won.
    const explanation = await new CredentialChain([catalog.credentials()]).explain();
    console.log(formatExplanation(explanation));

    // 4. b = quilt3.Bucket("s3://your-bucket-name") — on the local S3 server, with the catalog's keys.
    const bucket = await catalog.bucket(`s3://${BUCKET}`, {
      endpoint: s3.endpoint,
      forcePathStyle: true,
      s3: { checksumAlgorithm: 'off' },
    });
    const local = join(work, 'file.txt');
    await writeFile(local, 'hello from the catalog workflow\n');

    // 5. b.put_file("remote/path.txt", "./local/file.txt")
    const put = await bucket.putFile('remote/path.txt', local, {
      onEvent: (event) => {
        if (event.type === 'completed') console.log(`uploaded ${event.bytes} bytes`);
      },
    });
    console.log(`put_file done (${'strategy' in put ? put.strategy : 'tree'})`);

    // 6. b.keys() — streamed
    for await (const key of bucket.keys()) console.log(`key: ${key}`);

    // 7. b.fetch("remote/path.txt", "./downloaded/")
    await bucket.fetch('remote/path.txt', `${join(work, 'downloaded')}/`);
    console.log(`fetched: ${(await readFile(join(work, 'downloaded', 'path.txt'), 'utf8')).trim()}`);
    await bucket.close();

    // 8. quilt3.logout() — and the registry revokes the session too
    const out = await catalog.logout();
    console.log(
      `logged out (revoked at the registry: ${out.revoked}); logged in now: ${await catalog.loggedIn()}`,
    );
  } finally {
    await stack.stop();
    await s3.close();
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exitCode = 1;
});
