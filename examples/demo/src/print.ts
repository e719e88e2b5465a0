/** Demo output: a heading per step and indented detail lines. */
export const step = (title: string) => console.log(`\n▶ ${title}`);
export const say = (line: string) => console.log(`  ${line}`);
export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
