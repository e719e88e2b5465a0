// Runs a tree copy of many small files from memory into a directory, with many files in flight,
// under whatever open-file limit the parent started it with (`ulimit -n`), and prints one JSON
// line: the result or the error, every failure's code and message, and the retry reasons seen.
// It uses the built package (dist), as a user's process would.
import { createStorage } from '../../dist/index.js';

const job = JSON.parse(process.argv[2]);
const storage = createStorage();
const retries = [];
const warnings = [];
storage.events$.subscribe((event) => {
  if (event.type === 'retry') retries.push(event.reason);
});
for (let i = 0; i < job.files; i++) {
  await storage.write(`mem://fd/tree/f${String(i).padStart(4, '0')}.txt`, `file ${i}\n`.repeat(64));
}
const summarize = (result) => ({
  files: result.files,
  failed: result.failed,
  failures: result.failures.map((f) => ({ code: f.code, message: f.message })),
});
try {
  const tree = storage.copyTree('mem://fd/tree/', `${job.destination}/`, {
    fileConcurrency: job.concurrency,
    retry: { baseDelayMs: 20, maxDelayMs: 200 },
  });
  tree.events$.subscribe((event) => {
    if (event.type === 'warning') warnings.push(event.code);
  });
  const result = await tree;
  console.log(JSON.stringify({ ok: true, ...summarize(result), retries, warnings }));
} catch (error) {
  console.log(
    JSON.stringify({
      ok: false,
      error: { code: error.code ?? 'Error', message: String(error.message), retryable: error.retryable },
      ...(error.treeResult ? summarize(error.treeResult) : {}),
      retries,
      warnings,
    }),
  );
}
