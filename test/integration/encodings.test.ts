/**
 * Bytes that are not text in the declared encoding: a file row holding them is rejected naming its
 * line and byte offset (the tolerated-reject share decides the job, as for any bad row) and no
 * replacement character is stored; a webhook declaring another charset than UTF-8 gets 415.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLog } from "../../lambdas/core/ports.ts";
import { importFile } from "../../local/commands/import.ts";
import { openSandbox, type Sandbox } from "../../local/sandbox.ts";
import { tempDir } from "../support/cli.ts";
import { stripeSignature, webhookEvent } from "../support/webhooks.ts";

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await openSandbox({ dataDir: undefined, command: "test", log: silentLog });
});
afterAll(async () => {
  await sandbox.close();
});

/** A canonical CSV of `count` products; the rows in `latin1` carry "Café" as one windows-1252 byte. */
function csv(prefix: string, count: number, latin1: readonly number[]): string {
  const rows = Array.from({ length: count }, (_, i) =>
    Buffer.concat([
      Buffer.from(`product,${prefix}-${i},2026-11-01T00:00:00Z,`),
      latin1.includes(i) ? Buffer.from([0x43, 0x61, 0x66, 0xe9]) : Buffer.from("Café"),
      Buffer.from("\n"),
    ]),
  );
  const file = join(tempDir(), `${prefix}.csv`);
  writeFileSync(file, Buffer.concat([Buffer.from("entityType,entityKey,sourceTs,attributes.title\n"), ...rows]));
  return file;
}

const titles = async (prefix: string, count: number) =>
  Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const record = await sandbox.records.get({
        vendorId: "canonical",
        entityType: "product",
        entityKey: `${prefix}-${i}`,
      });
      return record?.attributes.title;
    }),
  );

describe("a file with bytes that are not UTF-8", () => {
  it("rejects the row that holds them (line and byte offset named), stores the rest, and never a U+FFFD", async () => {
    const file = csv("ENC", 10, [3]);
    const result = await importFile(sandbox, { vendorId: "canonical", file });
    expect(result).toMatchObject({ status: "PARTIAL", counts: { received: 10, created: 9, rejected: 1 } });
    const rejects = readFileSync(result.rejectsFile as string, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const offset = readFileSync(file).indexOf(0xe9);
    expect(rejects).toEqual([
      expect.objectContaining({
        line: 5,
        outcome: "rejected",
        reason: `byte 0xE9 at byte offset ${offset} is not valid utf-8; the file looks like windows-1252: set the vendor's channels.file.encoding`,
      }),
    ]);
    const stored = await titles("ENC", 10);
    expect(stored.filter((title) => title === "Café")).toHaveLength(9);
    expect(stored[3]).toBeUndefined();
    expect(stored.join("")).not.toContain("\uFFFD");
  });

  it("fails the job when such rows are over the vendor's tolerated share, as for any bad row", async () => {
    const result = await importFile(sandbox, { vendorId: "canonical", file: csv("ENC-MANY", 4, [0, 2]) });
    expect(result).toMatchObject({
      status: "FAILED",
      counts: { received: 4, created: 0, rejected: 2 },
      error: "rejected share 50.0 % (2 of 4 changes) is over the vendor's tolerated 20 %",
    });
  });
});

describe("a webhook body's declared charset", () => {
  const post = (charset: string, id: string) => {
    const body = Buffer.from(
      `{"id":"${id}","type":"price.updated","created":${Math.floor(Date.now() / 1000)},"data":[{"entityType":"price","entityKey":"CS-1","attributes":{"amount":"1.00"}}]}`,
    );
    const secret = sandbox.secrets.current("vendor-sync/canonical/webhook");
    return sandbox.ingest(
      webhookEvent("canonical", body, {
        "content-type": `application/json; charset=${charset}`,
        "stripe-signature": stripeSignature(secret, body, Math.floor(Date.now() / 1000)),
      }),
    );
  };

  it("answers 415 for a body declared UTF-16 (it would be read as UTF-8), naming the charset", async () => {
    const response = await post("utf-16", "evt_charset_16");
    expect(response.statusCode).toBe(415);
    expect(JSON.parse(response.body ?? "{}")).toEqual({
      error: 'unsupported charset "utf-16"; send JSON in UTF-8 (RFC 8259)',
    });
  });

  it("accepts UTF-8 however it is written", async () => {
    expect((await post('"UTF-8"', "evt_charset_8")).statusCode).toBe(202);
  });
});
