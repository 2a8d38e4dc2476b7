import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import {
  APIGatewayProxyEventV2Schema,
  DynamoDBStreamSchema,
  EventBridgeSchema,
  S3EventNotificationEventBridgeSchema,
  SqsSchema,
} from "@aws-lambda-powertools/parser/schemas";
import { marshall } from "@aws-sdk/util-dynamodb";
import * as v from "valibot";
import { beforeAll, describe, expect, it } from "vitest";
import { recordTableKey } from "../../lambdas/adapters/dynamodb/table-design.ts";
import { ExecutionStatusChangeEventSchema } from "../../lambdas/batch-execution-ended/batch-execution-ended.ts";
import { OperationSchema, scheduledSyncInput } from "../../lambdas/sync-jobs/operations.ts";
import { iamAuthorizedHttpApiEvent } from "../../local/http-api-events.ts";
import { type StoredMessage, toSqsEvent } from "../../local/local-queue.ts";
import { toHttpApiEvent } from "../../local/server.ts";
import { synthesizedAssembly } from "../support/aws/app.ts";
import { DeployedApp, type Json } from "../support/aws/cloudformation.ts";
import {
  executionStatusChangeEvent,
  objectCreatedEvent,
  scheduledRuleEvent,
  sqsEventFrom,
  streamEventFor,
} from "../support/aws/events.ts";
import { FakeServices } from "../support/aws/fake-services.ts";
import { webhookEvent } from "../support/webhooks.ts";

let app: DeployedApp;
beforeAll(async () => {
  app = new DeployedApp((await synthesizedAssembly()).stacks);
});

/** Parses with a Powertools schema; a failure names the paths that did not match. */
function expectValid(
  schema: { safeParse(value: unknown): { success: boolean; error?: { issues: Json[] } } },
  event: unknown,
) {
  const result = schema.safeParse(event);
  const issues = (result.error?.issues ?? []).map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  expect(issues).toEqual([]);
}

/** Does an event match an EventBridge pattern (exact values, `prefix`, nested objects)? */
function matchesPattern(pattern: Json, event: Json): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    const value = event?.[field];
    if (!Array.isArray(expected)) return matchesPattern(expected, value);
    return expected.some((candidate: Json) =>
      typeof candidate === "object" && candidate !== null && "prefix" in candidate
        ? typeof value === "string" && value.startsWith(candidate.prefix)
        : candidate === value,
    );
  });
}

describe("events the sandbox hands the functions, against @aws-lambda-powertools/parser's schemas", () => {
  it("webhook route: the local server's HTTP API payload 2.0 (base64 body, lower-cased headers)", () => {
    const request = {
      url: "/webhooks/canonical?attempt=2",
      method: "POST",
      headers: { "Content-Type": "application/json", "x-forwarded-for": ["1.1.1.1", "2.2.2.2"] },
      socket: { remoteAddress: "127.0.0.1" },
    } as unknown as IncomingMessage;
    const event = toHttpApiEvent(request, Buffer.from('{"id":"e1"}'), "canonical");
    expectValid(APIGatewayProxyEventV2Schema, event);
    expect(event).toMatchObject({
      isBase64Encoded: true,
      headers: { "content-type": "application/json", "x-forwarded-for": "1.1.1.1,2.2.2.2" },
      queryStringParameters: { attempt: "2" },
    });
    expectValid(APIGatewayProxyEventV2Schema, webhookEvent("canonical", Buffer.from("{}"), {}));
  });

  it("admin routes: the IAM-authorized payload 2.0 with the caller", () => {
    const event = iamAuthorizedHttpApiEvent({
      routeKey: "GET /admin/vendors/{vendorId}/jobs",
      path: "/admin/vendors/shopify-demo/jobs",
      query: "limit=5",
      pathParameters: { vendorId: "shopify-demo" },
    });
    expectValid(APIGatewayProxyEventV2Schema, event);
    expect(event.requestContext.authorizer.iam.userArn).toBe("local");
  });

  it("queues: the local queue's SQS batches", () => {
    const message: StoredMessage = {
      queue: "realtime",
      messageId: "m-1",
      body: '{"kind":"webhook"}',
      attributes: { vendorId: "canonical" },
      sentAt: Date.now(),
      visibleAt: Date.now(),
      receiveCount: 2,
      receiptHandle: "r-1",
    };
    const event = toSqsEvent({ name: "realtime" } as never, [message]);
    expectValid(SqsSchema, event);
    expect(event.Records[0]?.md5OfBody).toBe(createHash("md5").update(message.body).digest("hex"));
  });

  it("fails an event missing what AWS always sends, so the checks above mean something", () => {
    const event = webhookEvent("canonical", Buffer.from("{}"), {}) as Json;
    delete event.requestContext.http;
    expect(APIGatewayProxyEventV2Schema.safeParse(event).success).toBe(false);
  });
});

describe("events AWS services send through the template's wiring", () => {
  it("queues through their event source mapping: the contract tests' SQS batches", () => {
    const services = new FakeServices(new URL("http://127.0.0.1:1"));
    const url = `https://sqs.eu-central-1.amazonaws.com/${app.account}/queue`;
    services.queues.set(url, [
      { MessageId: "m", Body: "{}", MessageAttributes: { vendorId: { DataType: "String", StringValue: "v" } } },
    ]);
    expectValid(SqsSchema, sqsEventFrom(services, url));
  });

  it("the records table's stream through the change publisher's mapping: inserts and updates, never deletes", () => {
    const [mapping] =
      app
        .resources("AWS::Lambda::EventSourceMapping")
        .find(([id, m]) => String(app.resolve(m.Properties.EventSourceArn, app.stackOf(id))).includes("/stream/")) ??
      [];
    if (!mapping) throw new Error("no stream event source mapping");
    const tableKey = recordTableKey({ vendorId: "canonical", entityType: "price", entityKey: "K1" });
    const item = marshall({ ...tableKey, version: 1 });
    const keys = marshall(tableKey);
    const event = streamEventFor(app, mapping, [
      { after: item, keys },
      { before: item, after: { ...item, version: { N: "2" } }, keys },
      { before: item, keys },
    ]);
    expectValid(DynamoDBStreamSchema, event);
    expect(event.Records.map((record) => record.eventName)).toEqual(["INSERT", "MODIFY"]);
  });

  it("an upload's S3 Object Created event through EventBridge, matched by the upload rule's pattern", () => {
    const [ruleId, rule] =
      app.resources("AWS::Events::Rule").find(([, r]) => r.Properties.EventPattern?.source?.[0] === "aws.s3") ?? [];
    if (!ruleId || !rule) throw new Error("no upload rule");
    const pattern = app.resolve(rule.Properties.EventPattern, app.stackOf(ruleId));
    const bucket = pattern.detail.bucket.name[0];
    const upload = objectCreatedEvent(app, bucket, "imports/canonical/feed.jsonl", 120, "v1");
    expectValid(S3EventNotificationEventBridgeSchema, upload);
    expect(matchesPattern(pattern, upload)).toBe(true);
    expect(matchesPattern(pattern, objectCreatedEvent(app, bucket, "results/x.json", 1, "v1"))).toBe(false);
  });

  it("the freshness monitor's scheduled rule event, and a state machine execution's status change", () => {
    expectValid(EventBridgeSchema, scheduledRuleEvent(app));
    const [machine] = app.resources("AWS::StepFunctions::StateMachine")[0] ?? [];
    const change = executionStatusChangeEvent(app, app.ref(machine ?? ""), "upload-1", "FAILED", { jobId: "J" });
    expectValid(EventBridgeSchema, change);
  });

  it("an execution's end outside its Catch, matched by the execution-ended rule's pattern and read by its function", () => {
    const [ruleId, rule] =
      app.resources("AWS::Events::Rule").find(([, r]) => r.Properties.EventPattern?.source?.[0] === "aws.states") ?? [];
    if (!ruleId || !rule) throw new Error("no execution-ended rule");
    const pattern = app.resolve(rule.Properties.EventPattern, app.stackOf(ruleId));
    const [machine] = app.resources("AWS::StepFunctions::StateMachine")[0] ?? [];
    const machineArn = app.ref(machine ?? "");
    const input = { jobId: "01JOB", vendorId: "canonical" };
    for (const status of ["ABORTED", "TIMED_OUT", "FAILED"] as const) {
      const event = executionStatusChangeEvent(app, machineArn, "upload-1", status, input, {
        error: status === "ABORTED" ? "vendor-sync.Cancelled" : null,
        cause: status === "ABORTED" ? "cancelled by admin" : null,
      });
      expectValid(EventBridgeSchema, event);
      expect(matchesPattern(pattern, event), status).toBe(true);
      expect(v.safeParse(ExecutionStatusChangeEventSchema, event).issues).toBeUndefined();
    }
    for (const status of ["RUNNING", "SUCCEEDED"] as const) {
      expect(matchesPattern(pattern, executionStatusChangeEvent(app, machineArn, "upload-1", status, input))).toBe(
        false,
      );
    }
    const other = executionStatusChangeEvent(app, `${machineArn}-other`, "x", "FAILED", input);
    expect(matchesPattern(pattern, other)).toBe(false);
  });

  it("each vendor schedule's Target.Input is the on-demand operation the sandbox's schedules run", () => {
    const schedules = app
      .resources("AWS::Scheduler::Schedule")
      .map(([, s]) => JSON.parse(String(s.Properties.Target.Input ?? "null")))
      .filter((input) => input?.operation === "startSync");
    expect(schedules.length).toBeGreaterThan(0);
    for (const input of schedules) {
      expect(input).toEqual(scheduledSyncInput(input.vendorId));
      expect(v.safeParse(OperationSchema, input).success).toBe(true);
    }
  });
});
