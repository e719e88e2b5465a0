// Copies a local tree into memory and prints one JSON line: the tree's counts and failures and the
// per-file failed events. Run as a user without permission on part of the tree (the parent starts
// it as `nobody` when the tests run as root, since root reads everything). Uses the built package.
import { createStorage } from '../../dist/index.js';

const job = JSON.parse(process.argv[2]);
const storage = createStorage();
const failed = [];
storage.events$.subscribe((event) => {
  if (event.type === 'failed') failed.push({ code: event.error.code, message: event.error.message });
});
const summarize = (result) => ({
  files: result.files,
  failed: result.failed,
  failures: result.failures,
});
try {
  const result = await storage.copyTree(`${job.source}/`, 'mem://out/tree/', { fileConcurrency: 4 });
  console.log(JSON.stringify({ ok: true, ...summarize(result), events: failed }));
} catch (error) {
  console.log(
    JSON.stringify({
      ok: false,
      error: { code: error.code ?? 'Error', message: String(error.message), hint: error.hint },
      ...(error.treeResult ? summarize(error.treeResult) : {}),
      events: failed,
    }),
  );
}
