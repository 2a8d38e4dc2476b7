import { Readable } from "node:stream";
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { S3ObjectStore } from "../../../lambdas/adapters/s3/object-store.ts";
import { ObjectNotFoundError } from "../../../lambdas/core/batch/errors.ts";

const s3 = mockClient(S3Client);
afterEach(() => s3.reset());
const store = () => new S3ObjectStore({ client: new S3Client({ region: "eu-central-1" }), bucket: "imports" });
/** A GetObject body as the SDK returns it in Node: a stream with `transformToString`. */
const body = (text: string) =>
  Object.assign(Readable.from([Buffer.from(text)]), { transformToString: async () => text }) as never;

describe("S3ObjectStore", () => {
  it("streams an object as lines, CRLF or LF", async () => {
    s3.on(GetObjectCommand, { Bucket: "imports", Key: "normalised/v/j/changes.jsonl" }).resolves({
      Body: body('{"a":1}\r\n{"a":2}\n'),
    });
    const lines: string[] = [];
    for await (const line of store().readLines("normalised/v/j/changes.jsonl")) lines.push(line);
    expect(lines).toEqual(['{"a":1}', '{"a":2}']);
  });

  it("keeps a raw U+2028 inside a JSON string on its line (a Shopify HTML body)", async () => {
    s3.on(GetObjectCommand).resolves({ Body: body('{"d":"wash\u2028cold"}\n{"a":2}') });
    const lines: string[] = [];
    for await (const line of store().readLines("normalised/v/j/changes.jsonl")) lines.push(line);
    expect(lines).toEqual(['{"d":"wash\u2028cold"}', '{"a":2}']);
  });

  it("fails reading lines of a missing object with ObjectNotFoundError", async () => {
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: "no such key", $metadata: {} }));
    const read = async () => {
      for await (const _ of store().readLines("missing")) {
        // drain
      }
    };
    await expect(read()).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it("reads a missing small object as undefined", async () => {
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: "no such key", $metadata: {} }));
    expect(await store().readText("results/v/j/validation.json")).toBeUndefined();
  });

  it("writes small objects with a content type and lists keys across pages", async () => {
    s3.on(PutObjectCommand).resolves({});
    s3.on(ListObjectsV2Command, { Prefix: "results/v/j/plan/", ContinuationToken: undefined })
      .resolves({ Contents: [{ Key: "results/v/j/plan/c0.json" }], NextContinuationToken: "t2" })
      .on(ListObjectsV2Command, { Prefix: "results/v/j/plan/", ContinuationToken: "t2" })
      .resolves({ Contents: [{ Key: "results/v/j/plan/c1.json" }] });
    await store().writeText("results/v/j/validation.json", "{}");
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
      Bucket: "imports",
      Key: "results/v/j/validation.json",
      ContentType: "application/json",
    });
    const keys: string[] = [];
    for await (const key of store().list("results/v/j/plan/")) keys.push(key);
    expect(keys).toEqual(["results/v/j/plan/c0.json", "results/v/j/plan/c1.json"]);
    expect(store().locate("rejects/v/j.jsonl")).toBe("s3://imports/rejects/v/j.jsonl");
  });
});
