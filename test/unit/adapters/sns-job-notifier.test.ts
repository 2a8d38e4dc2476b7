import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { SnsJobNotifier } from "../../../lambdas/adapters/sns/sns-job-notifier.ts";
import type { JobNotification } from "../../../lambdas/core/jobs/job.ts";

// SNS has no local engine; the mock stands in for the Publish API only.
const sns = mockClient(SNSClient);
afterEach(() => sns.reset());

const TOPIC = "arn:aws:sns:eu-central-1:123456789012:vendor-sync-jobs";

function finished(vendorId: string): JobNotification {
  return {
    message: {
      type: "job.finished",
      jobId: "01JQ0000000000000000000000",
      vendorId,
      workflow: "scheduled",
      trigger: "schedule",
      status: "PARTIAL",
      dryRun: false,
      counts: {
        received: 3,
        created: 1,
        updated: 0,
        unchanged: 0,
        duplicate: 0,
        stale: 0,
        conflicted: 1,
        rejected: 1,
        failed: 0,
      },
      rowsRead: 3,
    },
    attributes: { vendorId, status: "PARTIAL", workflow: "scheduled" },
  };
}

describe("SnsJobNotifier", () => {
  it("publishes the job's outcome with vendor, status and workflow attributes for filter policies", async () => {
    sns.on(PublishCommand).resolves({ MessageId: "m-1" });
    await new SnsJobNotifier({ client: new SNSClient({}), topicArn: TOPIC }).jobFinished(finished("shopify-demo"));
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input?.TopicArn).toBe(TOPIC);
    expect(input?.Subject).toBe("vendor-sync job PARTIAL: shopify-demo");
    expect(JSON.parse(input?.Message ?? "{}")).toMatchObject({ type: "job.finished", status: "PARTIAL", rowsRead: 3 });
    expect(input?.MessageAttributes).toEqual({
      vendorId: { DataType: "String", StringValue: "shopify-demo" },
      status: { DataType: "String", StringValue: "PARTIAL" },
      workflow: { DataType: "String", StringValue: "scheduled" },
    });
  });

  it("keeps the subject within SNS's 100 characters for a long vendor id", async () => {
    sns.on(PublishCommand).resolves({ MessageId: "m-2" });
    await new SnsJobNotifier({ client: new SNSClient({}), topicArn: TOPIC }).jobFinished(finished("v".repeat(120)));
    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input.Subject).toHaveLength(100);
  });
});
