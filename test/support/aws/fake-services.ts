/**
 * Answers the SDK's signed requests for the services that have no local engine here (S3, SQS, SNS,
 * Step Functions, Secrets Manager) in each service's own wire protocol, from small in-memory stores;
 * DynamoDB requests go to dynalite unchanged. Enough of each API for the calls the functions make —
 * an unknown command fails loudly instead of being answered with something made up.
 */
import { createHash, randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import type { RecordedCall, Responder, SignedRequest, TransportResponse } from "./capture.ts";

interface StoredObject {
  body: Buffer;
  lastModified: Date;
  tags: Record<string, string>;
}

export interface QueuedMessage {
  readonly MessageId: string;
  readonly Body: string;
  readonly MessageAttributes?: unknown;
  receives?: number;
}

const xml = (body: string, status = 200, headers: Record<string, string> = {}): TransportResponse => ({
  response: {
    statusCode: status,
    headers: { "content-type": "application/xml", ...headers },
    body: Readable.from([Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`)]),
  },
});
const json = (body: unknown, contentType: string, status = 200): TransportResponse => ({
  response: {
    statusCode: status,
    headers: { "content-type": contentType },
    body: Readable.from([Buffer.from(JSON.stringify(body))]),
  },
});
const empty = (status: number, headers: Record<string, string> = {}): TransportResponse => ({
  response: { statusCode: status, headers, body: Readable.from([]) },
});
const xmlText = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const md5 = (text: string) => createHash("md5").update(text).digest("hex");
const etag = (body: Buffer) => `"${md5(body.toString("binary"))}"`;

/** The request body as bytes; `aws-chunked` (streamed uploads with a trailing checksum) decoded. */
async function bodyOf(request: SignedRequest): Promise<Buffer> {
  const body = request.body;
  let bytes: Buffer;
  if (body === undefined || body === null) bytes = Buffer.alloc(0);
  else if (typeof body === "string" || body instanceof Uint8Array) bytes = Buffer.from(body);
  else {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(chunk));
    bytes = Buffer.concat(chunks);
  }
  if (!(request.headers["content-encoding"] ?? "").includes("aws-chunked")) return bytes;
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = bytes.indexOf("\r\n", at);
    const size = Number.parseInt(bytes.subarray(at, lineEnd).toString().split(";")[0] ?? "0", 16);
    if (!size) return Buffer.concat(parts);
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

const noSuchKey = (key: string) =>
  xml(
    `<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${xmlText(key)}</Key></Error>`,
    404,
  );

/** The fake services' state, for tests to seed and inspect. */
export class FakeServices {
  readonly objects = new Map<string, StoredObject>();
  readonly queues = new Map<string, QueuedMessage[]>();
  readonly published: { topicArn: string; message: string; attributes: unknown }[] = [];
  readonly executions: { stateMachineArn: string; name?: string; input?: string }[] = [];
  /** StopExecution calls on executions that were started (Step Functions answers ExecutionDoesNotExist to others). */
  readonly stopped: { executionArn: string; error?: string; cause?: string }[] = [];
  readonly #started = new Set<string>();
  /** Secret values by name or ARN. */
  readonly secrets = new Map<string, string>();
  readonly #uploads = new Map<string, Map<number, Buffer>>();
  /** Commands to fail with a 500 (`"SQS SendMessageCommand"` → remaining failures). */
  readonly #failures = new Map<string, number>();

  /** Makes a command fail with a server error the next `times` times (the SDK retries 500s). */
  failNext(service: string, command: string, times: number): void {
    this.#failures.set(`${service} ${command}`, times);
  }

  constructor(private readonly dynamoEndpoint: URL) {}

  putObject(bucket: string, key: string, body: string | Buffer, tags: Record<string, string> = {}): void {
    this.objects.set(`${bucket}/${key}`, { body: Buffer.from(body), lastModified: new Date(), tags });
  }

  object(bucket: string, key: string): string | undefined {
    return this.objects.get(`${bucket}/${key}`)?.body.toString("utf8");
  }

  /** The responder for `captureSdkCalls`. */
  readonly respond: Responder = async (call, request, send) => {
    const failing = `${call.service} ${call.command}`;
    const left = this.#failures.get(failing) ?? 0;
    if (left > 0) {
      this.#failures.set(failing, left - 1);
      return json(
        { __type: "InternalError", message: "We encountered an internal error. Please try again." },
        "application/x-amz-json-1.0",
        500,
      );
    }
    switch (call.service) {
      case "DynamoDB":
        return send({
          ...request,
          protocol: this.dynamoEndpoint.protocol,
          hostname: this.dynamoEndpoint.hostname,
          port: Number(this.dynamoEndpoint.port),
          path: "/",
        });
      case "S3":
        return this.#s3(call, request);
      case "SQS":
        return this.#sqs(call);
      case "SNS":
        return this.#sns(call);
      case "SFN":
        return this.#sfn(call);
      case "Secrets Manager":
        return this.#secrets(call);
      default:
        throw new Error(`no fake for ${call.service} ${call.command}`);
    }
  };

  async #s3(call: RecordedCall, request: SignedRequest): Promise<TransportResponse> {
    const input = call.input as {
      Bucket: string;
      Key?: string;
      Prefix?: string;
      UploadId?: string;
      PartNumber?: number;
    };
    const id = `${input.Bucket}/${input.Key}`;
    switch (call.command) {
      case "GetObjectCommand":
      case "HeadObjectCommand": {
        const object = this.objects.get(id);
        if (!object) return call.command === "HeadObjectCommand" ? empty(404) : noSuchKey(input.Key ?? "");
        return {
          response: {
            statusCode: 200,
            headers: {
              "content-length": String(object.body.length),
              "content-type": "application/octet-stream",
              etag: etag(object.body),
              "last-modified": object.lastModified.toUTCString(),
            },
            body: Readable.from(call.command === "HeadObjectCommand" ? [] : [object.body]),
          },
        };
      }
      case "PutObjectCommand": {
        const body = await bodyOf(request);
        this.objects.set(id, { body, lastModified: new Date(), tags: {} });
        return empty(200, { etag: etag(body) });
      }
      case "CreateMultipartUploadCommand": {
        const uploadId = randomUUID();
        this.#uploads.set(uploadId, new Map());
        return xml(
          `<InitiateMultipartUploadResult><Bucket>${xmlText(input.Bucket)}</Bucket><Key>${xmlText(input.Key ?? "")}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`,
        );
      }
      case "UploadPartCommand": {
        const body = await bodyOf(request);
        this.#uploads.get(input.UploadId ?? "")?.set(input.PartNumber ?? 0, body);
        return empty(200, { etag: etag(body) });
      }
      case "CompleteMultipartUploadCommand": {
        const parts = this.#uploads.get(input.UploadId ?? "") ?? new Map();
        const body = Buffer.concat([...parts.entries()].sort(([a], [b]) => a - b).map(([, part]) => part));
        this.objects.set(id, { body, lastModified: new Date(), tags: {} });
        this.#uploads.delete(input.UploadId ?? "");
        return xml(
          `<CompleteMultipartUploadResult><Bucket>${xmlText(input.Bucket)}</Bucket><Key>${xmlText(input.Key ?? "")}</Key><ETag>${xmlText(etag(body))}</ETag></CompleteMultipartUploadResult>`,
        );
      }
      case "AbortMultipartUploadCommand":
        this.#uploads.delete(input.UploadId ?? "");
        return empty(204);
      case "ListObjectsV2Command": {
        const prefix = input.Prefix ?? "";
        const keys = [...this.objects.entries()]
          .filter(([key]) => key.startsWith(`${input.Bucket}/${prefix}`))
          .map(([key, object]) => ({ key: key.slice(input.Bucket.length + 1), object }))
          .sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
        const contents = keys
          .map(
            ({ key, object }) =>
              `<Contents><Key>${xmlText(key)}</Key><LastModified>${object.lastModified.toISOString()}</LastModified><ETag>${xmlText(etag(object.body))}</ETag><Size>${object.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
          )
          .join("");
        return xml(
          `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlText(input.Bucket)}</Name><Prefix>${xmlText(prefix)}</Prefix><KeyCount>${keys.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`,
        );
      }
      case "GetObjectTaggingCommand": {
        const object = this.objects.get(id);
        if (!object) return noSuchKey(input.Key ?? "");
        const tags = Object.entries(object.tags)
          .map(([key, value]) => `<Tag><Key>${xmlText(key)}</Key><Value>${xmlText(value)}</Value></Tag>`)
          .join("");
        return xml(`<Tagging><TagSet>${tags}</TagSet></Tagging>`);
      }
      default:
        throw new Error(`no fake for S3 ${call.command}`);
    }
  }

  #sqs(call: RecordedCall): TransportResponse {
    const type = "application/x-amz-json-1.0";
    const input = call.input as { QueueUrl?: string; MessageBody?: string; MessageAttributes?: unknown };
    const queue = (url: string) => {
      let messages = this.queues.get(url);
      if (!messages) {
        messages = [];
        this.queues.set(url, messages);
      }
      return messages;
    };
    switch (call.command) {
      case "SendMessageCommand": {
        const MessageId = randomUUID();
        queue(input.QueueUrl ?? "").push({
          MessageId,
          Body: input.MessageBody ?? "",
          MessageAttributes: input.MessageAttributes,
          receives: 0,
        });
        return json({ MessageId, MD5OfMessageBody: md5(input.MessageBody ?? "") }, type);
      }
      case "DeleteMessageCommand":
      case "ChangeMessageVisibilityCommand":
        return json({}, type);
      case "ReceiveMessageCommand": {
        const messages = queue(input.QueueUrl ?? "")
          .map((message) => {
            message.receives = (message.receives ?? 0) + 1;
            return message;
          })
          .map((message) => ({
            MessageId: message.MessageId,
            ReceiptHandle: `receipt-${message.MessageId}-${message.receives}`,
            Body: message.Body,
            MD5OfBody: md5(message.Body),
            Attributes: { ApproximateReceiveCount: String(message.receives), SentTimestamp: String(Date.now()) },
          }));
        return json({ Messages: messages }, type);
      }
      case "GetQueueAttributesCommand": {
        const url = input.QueueUrl ?? "";
        const [, , , account, name] = url.split("/");
        const region = new URL(url).hostname.split(".")[1];
        return json(
          {
            Attributes: {
              QueueArn: `arn:aws:sqs:${region}:${account}:${name}`,
              ApproximateNumberOfMessages: String(queue(url).length),
              ApproximateNumberOfMessagesNotVisible: "0",
              ApproximateNumberOfMessagesDelayed: "0",
            },
          },
          type,
        );
      }
      case "StartMessageMoveTaskCommand":
        return json({ TaskHandle: randomUUID() }, type);
      default:
        throw new Error(`no fake for SQS ${call.command}`);
    }
  }

  #sns(call: RecordedCall): TransportResponse {
    const ns = 'xmlns="http://sns.amazonaws.com/doc/2010-03-31/"';
    const meta = `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>`;
    const input = call.input as {
      TopicArn: string;
      Message?: string;
      MessageAttributes?: unknown;
      PublishBatchRequestEntries?: { Id: string; Message: string; MessageAttributes?: unknown }[];
    };
    switch (call.command) {
      case "PublishCommand":
        this.published.push({
          topicArn: input.TopicArn,
          message: input.Message ?? "",
          attributes: input.MessageAttributes,
        });
        return xml(
          `<PublishResponse ${ns}><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult>${meta}</PublishResponse>`,
        );
      case "PublishBatchCommand": {
        const entries = input.PublishBatchRequestEntries ?? [];
        for (const entry of entries) {
          this.published.push({
            topicArn: input.TopicArn,
            message: entry.Message,
            attributes: entry.MessageAttributes,
          });
        }
        const members = entries
          .map((entry) => `<member><Id>${xmlText(entry.Id)}</Id><MessageId>${randomUUID()}</MessageId></member>`)
          .join("");
        return xml(
          `<PublishBatchResponse ${ns}><PublishBatchResult><Successful>${members}</Successful><Failed/></PublishBatchResult>${meta}</PublishBatchResponse>`,
        );
      }
      default:
        throw new Error(`no fake for SNS ${call.command}`);
    }
  }

  #sfn(call: RecordedCall): TransportResponse {
    const type = "application/x-amz-json-1.0";
    if (call.command === "StopExecutionCommand") {
      const input = call.input as { executionArn: string; error?: string; cause?: string };
      if (!this.#started.has(input.executionArn)) {
        return json(
          { __type: "ExecutionDoesNotExist", message: `Execution Does Not Exist: '${input.executionArn}'` },
          type,
          400,
        );
      }
      this.stopped.push({ ...input });
      return json({ stopDate: Date.now() / 1000 }, type);
    }
    const input = call.input as { stateMachineArn: string; name?: string; input?: string };
    if (call.command !== "StartExecutionCommand") throw new Error(`no fake for SFN ${call.command}`);
    this.executions.push({ ...input });
    const executionArn = `${input.stateMachineArn.replace(":stateMachine:", ":execution:")}:${input.name ?? randomUUID()}`;
    this.#started.add(executionArn);
    return json({ executionArn, startDate: Date.now() / 1000 }, type);
  }

  #secrets(call: RecordedCall): TransportResponse {
    const type = "application/x-amz-json-1.1";
    const { SecretId } = call.input as { SecretId: string };
    if (call.command !== "GetSecretValueCommand") throw new Error(`no fake for Secrets Manager ${call.command}`);
    const value = this.secrets.get(SecretId);
    if (value === undefined) {
      return json(
        { __type: "ResourceNotFoundException", message: "Secrets Manager can't find the specified secret." },
        type,
        400,
      );
    }
    return json({ Name: SecretId, SecretString: value, VersionId: "v1", CreatedDate: Date.now() / 1000 }, type);
  }
}
