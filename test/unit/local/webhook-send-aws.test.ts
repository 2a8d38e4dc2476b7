/**
 * `vendor-sync webhook send --target aws` (a thin adapter): the URL from the stack output
 * `WebhookUrl`, the secret from Secrets Manager (a rotation's current one), a delivery the vendor's
 * own library verifies. AWS clients are mocked; a local HTTP server stands in for API Gateway.
 */
import { writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runWith } from "../../../local/cli.ts";
import { tempDir } from "../../support/cli.ts";
import { vendorFolder } from "../../support/serve.ts";

const SECRET = "whsec_test_NOT_REAL_new";
const received: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];
let api: Server;
let origin: string;

beforeAll(async () => {
  api = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      received.push({ path: request.url ?? "", headers: request.headers, body });
      response.writeHead(202, { "content-type": "application/json" }).end('{"eventId":"evt_sent"}');
    });
  });
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  process.env.VENDOR_SYNC_VENDORS_DIR = vendorFolder({
    acme: {
      id: "acme",
      name: "Acme",
      entityTypes: ["price"],
      defaultCurrency: "EUR",
      channels: { webhook: { scheme: "stripe", secretName: "vendor-sync/acme/webhook" } },
    },
  });
});
afterAll(async () => {
  delete process.env.VENDOR_SYNC_VENDORS_DIR;
  await new Promise((resolve) => api.close(resolve));
});

describe("webhook send --target aws", () => {
  it("posts to the stack's WebhookUrl, signed with the current secret from Secrets Manager", async () => {
    const cloudformation = mockClient(CloudFormationClient);
    const secrets = mockClient(SecretsManagerClient);
    cloudformation.on(DescribeStacksCommand, { StackName: "VendorSync-prod" }).resolves({
      Stacks: [
        {
          StackName: "VendorSync-prod",
          CreationTime: new Date(),
          StackStatus: "CREATE_COMPLETE",
          Outputs: [{ OutputKey: "WebhookUrl", OutputValue: `${origin}/webhooks/{vendorId}` }],
        },
      ],
    });
    secrets
      .on(GetSecretValueCommand, { SecretId: "vendor-sync/acme/webhook" })
      .resolves({ SecretString: JSON.stringify({ current: SECRET, previous: "whsec_test_NOT_REAL_old" }) });
    const body = '{"id":"evt_sent","type":"price.updated","created":1796000000,"data":[]}';
    const dir = tempDir();
    writeFileSync(`${dir}/body.json`, body);
    let out = "";
    let err = "";
    const code = await runWith(
      ["webhook", "send", "--vendor", "acme", "body.json", "--target", "aws", "--stage", "prod", "--json"],
      {
        io: { out: (t) => (out += t), err: (t) => (err += t), interactive: false },
        cwd: dir,
        webhookAws: {
          cloudformation: new CloudFormationClient({ region: "eu-central-1" }),
          secretsManager: new SecretsManagerClient({ region: "eu-central-1" }),
        },
      },
    );
    expect(code, err).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ vendorId: "acme", url: `${origin}/webhooks/acme`, status: 202 });
    expect(err).toMatch(/not verified against AWS/);
    const [delivery] = received;
    expect(delivery?.path).toBe("/webhooks/acme");
    expect(delivery?.body).toBe(body);
    const event = new Stripe("sk_test_NOT_REAL").webhooks.constructEvent(
      body,
      String(delivery?.headers["stripe-signature"]),
      SECRET,
    );
    expect(event.id).toBe("evt_sent");
  });
});
