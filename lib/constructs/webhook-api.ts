import { CfnOutput, Validations } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import { DomainName, HttpApi, HttpMethod, LogGroupLogDestination } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import { Certificate } from "aws-cdk-lib/aws-certificatemanager";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";

export interface WebhookApiProps {
  /** The ingest function behind `POST /webhooks/{vendorId}`. */
  readonly ingest: IFunction;
  readonly logRetention: RetentionDays;
  /** Steady-state requests per second across all vendors. @default 200 */
  readonly rateLimit?: number;
  /** Burst capacity, requests. @default 400 */
  readonly burstLimit?: number;
  /** Optional custom domain (certificate in the stack's region). @default the execute-api endpoint */
  readonly customDomain?: { readonly domainName: string; readonly certificateArn: string };
}

/**
 * The vendors' webhook endpoint: an HTTP API (not REST) with one route, `POST /webhooks/{vendorId}`.
 *
 * HTTP API because the webhook path pays per request: about $1.00 per million against $3.50 for a
 * REST API, with lower latency. What REST would add — request validation, usage plans, WAF — does
 * not apply: vendors authenticate with HMAC signatures the function verifies on the raw bytes (so
 * the API must pass the body through untouched), and throttling is set on the stage.
 *
 * Payload limits: API Gateway takes at most 10 MB (larger: 413 from API Gateway); a Lambda
 * synchronous invoke carries at most 6 MB including the event envelope, so the function refuses bodies
 * over 4 MiB with its own 413 and a JSON reason. Bodies between about 6 and 10 MB cannot reach the
 * function: API Gateway answers 500 — vendors' payloads (Shopify, WooCommerce, BigCommerce) stay far
 * below either limit.
 *
 * Default settings: 200 requests/s steady, 400 burst; JSON access logs with request id, vendor path,
 * status, latency and integration error; no authorizer (signatures are the authentication).
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-vs-rest.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
 */
export class WebhookApi extends Construct {
  readonly api: HttpApi;
  readonly accessLogs: LogGroup;
  /** Base URL vendors post to (`<url>webhooks/<vendorId>`). */
  readonly url: string;

  constructor(scope: Construct, id: string, props: WebhookApiProps) {
    super(scope, id);
    this.accessLogs = new LogGroup(this, "AccessLogs", { retention: props.logRetention });
    const domainName = props.customDomain
      ? new DomainName(this, "Domain", {
          domainName: props.customDomain.domainName,
          certificate: Certificate.fromCertificateArn(this, "Certificate", props.customDomain.certificateArn),
        })
      : undefined;
    this.api = new HttpApi(this, "HttpApi", {
      description: "Vendor webhooks: POST /webhooks/{vendorId}",
      createDefaultStage: false,
      ...(domainName ? { disableExecuteApiEndpoint: false } : {}),
    });
    this.api.addStage("DefaultStage", {
      stageName: "$default",
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit ?? 200, burstLimit: props.burstLimit ?? 400 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: "$context.requestId",
            routeKey: "$context.routeKey",
            path: "$context.path",
            status: "$context.status",
            responseLength: "$context.responseLength",
            latencyMs: "$context.responseLatency",
            integrationError: "$context.integrationErrorMessage",
            sourceIp: "$context.identity.sourceIp",
          }),
        ),
      },
      ...(domainName ? { domainMapping: { domainName } } : {}),
    });
    const routes = this.api.addRoutes({
      path: "/webhooks/{vendorId}",
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration("Ingest", props.ingest),
    });
    for (const route of routes) {
      Validations.of(route).acknowledge({
        id: "AwsSolutions-APIG4",
        reason:
          "Vendors authenticate each delivery with an HMAC signature that the ingest function verifies on the raw body; third-party webhook senders cannot sign with IAM or Cognito.",
      });
    }
    this.url = domainName ? `https://${props.customDomain?.domainName}/` : (this.api.apiEndpoint ?? "");
    new CfnOutput(this, "WebhookUrl", {
      // A fixed key: `vendor-sync webhook send --target aws` reads it from the stack outputs.
      key: "WebhookUrl",
      value: `${this.url.replace(/\/?$/, "/")}webhooks/{vendorId}`,
      description: "POST vendor webhooks here",
    });
  }
}
