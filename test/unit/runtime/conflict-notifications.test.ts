import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { SnsTopicPublisher } from "../../../lambdas/adapters/sns/sns-topic-publisher.ts";
import { ChangeInterpreter } from "../../../lambdas/core/changes/interpreter.ts";
import { conflictHooks } from "../../../lambdas/runtime/conflict-notifications.ts";
import { change, policy, T0 } from "../../support/changes.ts";
import { MemoryConflictStore, MemoryRecordStore } from "../../support/memory-stores.ts";

// SNS has no local engine; the mock stands in for the Publish API only.
const sns = mockClient(SNSClient);
afterEach(() => sns.reset());

const TOPIC = "arn:aws:sns:eu-central-1:123456789012:vendor-sync-jobs";

function writerWithNotifier() {
  const conflicts = new MemoryConflictStore();
  const writer = new ChangeInterpreter({
    records: new MemoryRecordStore(),
    conflicts,
    policyFor: () => ({ ...policy("manual-review"), negativeStock: "allow" }),
    ...conflictHooks(TOPIC, new SnsTopicPublisher({ client: new SNSClient({}), topicArn: TOPIC })),
  });
  const product = (input: Record<string, unknown>) => change({ entityType: "product", ...input });
  return { writer, conflicts, product };
}

/** A vendor change over an admin edit opens a manual-review conflict. */
async function openConflict(
  writer: ChangeInterpreter,
  product: (input: Record<string, unknown>) => ReturnType<typeof change>,
) {
  await writer.write(product({ eventId: "v1", attributes: { title: "A" } }));
  await writer.write(product({ eventId: "i1", source: "internal", sourceTs: T0 + 1, attributes: { title: "B" } }));
  return writer.write(product({ eventId: "v2", sourceTs: T0 + 2, attributes: { title: "C" } }));
}

describe("conflict notifications on AWS", () => {
  it("publishes a newly opened conflict with its id, fields and filterable attributes", async () => {
    sns.on(PublishCommand).resolves({ MessageId: "m-1" });
    const { writer, product } = writerWithNotifier();
    const result = await openConflict(writer, product);
    expect(result.outcome).toBe("conflicted");
    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input?.TopicArn).toBe(TOPIC);
    expect(input?.Subject).toMatch(/^Conflict to review: /);
    expect(input?.MessageAttributes?.kind?.StringValue).toBe("conflict-opened");
    expect(input?.MessageAttributes?.vendorId?.StringValue).toBe(result.vendorId);
    const message = JSON.parse(input?.Message ?? "{}");
    expect(message).toMatchObject({ kind: "conflict-opened", conflictId: result.conflictId, fields: ["title"] });
    expect(message.review).toContain(`conflicts show ${result.conflictId}`);
  });

  it("keeps the conflict and the change's outcome when SNS refuses the publish", async () => {
    sns.on(PublishCommand).rejects(new Error("AuthorizationError: not allowed to publish"));
    const { writer, conflicts, product } = writerWithNotifier();
    const result = await openConflict(writer, product);
    expect(result.outcome).toBe("conflicted");
    expect(conflicts.conflicts.size).toBe(1);
  });

  it("publishes a conflict closed as superseded once, when a newer change of its record is applied", async () => {
    sns.on(PublishCommand).resolves({ MessageId: "m-1" });
    const { writer, product } = writerWithNotifier();
    const opened = await openConflict(writer, product);
    // An admin edit newer than the held change is applied: the conflict is superseded.
    await writer.write(product({ eventId: "a1", source: "admin", sourceTs: T0 + 3, attributes: { title: "D" } }));
    await writer.write(product({ eventId: "a2", source: "admin", sourceTs: T0 + 4, attributes: { title: "E" } }));
    const kinds = sns
      .commandCalls(PublishCommand)
      .map((call) => call.args[0].input.MessageAttributes?.kind?.StringValue);
    expect(kinds).toEqual(["conflict-opened", "conflict-superseded"]);
    const closed = JSON.parse(sns.commandCalls(PublishCommand)[1]?.args[0].input.Message ?? "{}");
    expect(closed).toMatchObject({ conflictId: opened.conflictId, supersededBy: { eventId: "a1" } });
  });

  it("does nothing for a function deployed without a topic", () => {
    expect(conflictHooks(undefined)).toEqual({});
  });
});
