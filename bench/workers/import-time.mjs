// Imports one bundled handler in a fresh process, as a Lambda cold start's init does, and prints
// how long the import took (ms) and the process's RSS afterwards. Plain JavaScript: no loader of
// our own may run before the measured import.
const started = performance.now();
await import(process.argv[2]);
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ ms, rss: process.memoryUsage.rss() })}\n`);
