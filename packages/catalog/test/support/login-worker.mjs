// One worker of a batch job sharing a catalog login with others (runs the built package). argv[2]
// is the catalog directory. Prints "ready" once loaded; then every "go" line on stdin makes one
// registry call (whoami, which refreshes the access token first when needed) and prints its outcome
// as one JSON line. Ends when stdin ends.
import { createInterface } from 'node:readline';
import { Catalog } from '@stowage/catalog';

const catalog = new Catalog({
  dir: process.argv[2],
  env: {},
  openBrowser: false,
  print: () => undefined,
  http: { retries: 0, timeoutMs: 10_000 },
});
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() !== 'go') continue;
  try {
    const me = await catalog.whoami();
    process.stdout.write(`${JSON.stringify({ ok: true, name: me.name })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ ok: false, code: error.code, message: error.message })}\n`);
  }
}
// Keep-alive sockets to the registry would hold the process for seconds.
process.exit(0);
