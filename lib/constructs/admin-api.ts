import { CfnOutput, Stack } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import { HttpApi, type HttpMethod, type HttpRoute, LogGroupLogDestination } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpIamAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import { type IGrantable, PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";

export interface AdminApiProps {
  readonly logRetention: RetentionDays;
  /** Steady-state requests per second. @default 20 */
  readonly rateLimit?: number;
  /** Burst capacity, requests. @default 40 */
  readonly burstLimit?: number;
}

/** One route as `addRoutes` takes it: API Gateway's route key, `"<METHOD> /admin/…"`. */
export type AdminRouteKey = `${"GET" | "POST" | "PUT" | "PATCH" | "DELETE"} /admin/${string}`;

/**
 * The admin API: an HTTP API under `/admin` where **every route requires IAM authorisation**
 * (SigV4-signed requests; `HttpIamAuthorizer` is the API's default authorizer, so a route added later
 * cannot forget it). Features add their routes with {@link AdminApi.addRoutes}, each served by its
 * own function; admins get access with {@link AdminApi.grantInvoke}.
 *
 * Default settings: IAM auth on every route, 20 requests/s steady and 40 burst, JSON access logs with
 * the caller's IAM principal, no CORS (callers are the CLI and scripts, not browsers).
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control-iam.html
 */
export class AdminApi extends Construct {
  readonly api: HttpApi;
  readonly accessLogs: LogGroup;
  /** Base URL (`https://<id>.execute-api.<region>.amazonaws.com`). */
  readonly url: string;

  constructor(scope: Construct, id: string, props: AdminApiProps) {
    super(scope, id);
    this.accessLogs = new LogGroup(this, "AccessLogs", { retention: props.logRetention });
    this.api = new HttpApi(this, "HttpApi", {
      description: "Vendor sync admin API (IAM auth): syncs and jobs, and more admin routes",
      createDefaultStage: false,
      defaultAuthorizer: new HttpIamAuthorizer(),
    });
    this.api.addStage("DefaultStage", {
      stageName: "$default",
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit ?? 20, burstLimit: props.burstLimit ?? 40 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: "$context.requestId",
            routeKey: "$context.routeKey",
            status: "$context.status",
            latencyMs: "$context.responseLatency",
            principal: "$context.identity.userArn",
            integrationError: "$context.integrationErrorMessage",
            sourceIp: "$context.identity.sourceIp",
          }),
        ),
      },
    });
    this.url = this.api.apiEndpoint;
    const output = new CfnOutput(this, "AdminApiUrl", {
      value: this.url,
      description: "Admin API (IAM auth, SigV4): /admin/vendors/{vendorId}/syncs, /admin/jobs/{jobId}, …",
    });
    output.overrideLogicalId("AdminApiUrl");
  }

  /**
   * Adds routes served by one function, IAM-authorised like every admin route.
   * @param id - a construct id for the integration (one per function).
   * @param routeKeys - `"POST /admin/vendors/{vendorId}/syncs"`, …
   */
  addRoutes(id: string, routeKeys: readonly AdminRouteKey[], handler: IFunction): HttpRoute[] {
    const integration = new HttpLambdaIntegration(id, handler);
    return routeKeys.flatMap((routeKey) => {
      const [method = "GET", path = "/"] = routeKey.split(" ");
      return this.api.addRoutes({ path, methods: [method as HttpMethod], integration });
    });
  }

  /**
   * Lets a principal (an admin role, a CI role) call the admin routes: `execute-api:Invoke` on this
   * API's `$default` stage only.
   */
  grantInvoke(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ["execute-api:Invoke"],
        resources: [
          Stack.of(this).formatArn({
            service: "execute-api",
            resource: this.api.apiId,
            resourceName: "$default/*/admin/*",
          }),
        ],
      }),
    );
  }
}
