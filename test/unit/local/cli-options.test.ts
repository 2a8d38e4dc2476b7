import { describe, expect, it } from "vitest";
import { runWith } from "../../../local/cli.ts";

async function cli(argv: string[]) {
  let out = "";
  let err = "";
  const code = await runWith(argv, {
    io: { out: (t) => (out += t), err: (t) => (err += t), interactive: false },
  });
  return { code, out, err };
}

describe("numeric options are checked before a command runs", () => {
  for (const [argv, range] of [
    [["dlq", "redrive", "realtime", "--rate", "0"], "from 1 to 500"],
    [["dlq", "redrive", "realtime", "--rate", "1.5"], "from 1 to 500"],
    [["dlq", "redrive", "realtime", "--rate", "-3"], "from 1 to 500"],
    [["jobs", "--limit", "abc", "--in-memory"], "from 1 to 100"],
    [["records", "--limit", "0"], "from 1 to 10000"],
    [["sync", "--vendor", "shopify-demo", "--wait", "--poll-interval", "5", "--in-memory"], "from 50 to 60000"],
  ] as const) {
    it(`refuses ${argv.join(" ")} naming the option and the range`, async () => {
      const run = await cli([...argv]);
      expect(run.code).toBe(1);
      const option = argv.find((a) => a.startsWith("--") && a !== "--in-memory" && a !== "--wait" && a !== "--vendor");
      expect(run.err).toContain(`option '${option}`);
      expect(run.err).toContain(range);
    });
  }
});
