import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// docs/writing-an-adapter.md shows the whole kv adapter; this keeps the page and the tested file one.
const here = dirname(fileURLToPath(import.meta.url));

describe('docs/writing-an-adapter.md', () => {
  it('shows src/kv-provider.ts exactly as it is', async () => {
    const guide = await readFile(join(here, '../../../docs/writing-an-adapter.md'), 'utf8');
    const source = await readFile(join(here, '../src/kv-provider.ts'), 'utf8');
    expect(guide).toContain(`\`\`\`ts\n${source}\`\`\``);
  });
});
