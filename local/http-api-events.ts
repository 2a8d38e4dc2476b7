/**
 * The HTTP API events (payload format 2.0) API Gateway hands the functions, built in one place for
 * the sandbox's server (webhooks, admin routes) and the demo: header names lower-cased, the request
 * context AWS fills in, an IAM authorizer's caller on admin routes. Checked against Powertools'
 * `APIGatewayProxyEventV2Schema` by the AWS contract tests.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyEventV2WithIAMAuthorizer } from "aws-lambda";
import { ulid } from "ulid";

export interface HttpApiRequest {
  /** `POST /webhooks/{vendorId}`. */
  readonly routeKey: string;
  /** The path as requested (`/webhooks/canonical`). */
  readonly path: string;
  /** The query string without `?`. @default "" */
  readonly query?: string;
  readonly pathParameters?: Record<string, string>;
  /** Header values by name (lower-cased here; repeated headers already comma-joined). */
  readonly headers?: Record<string, string>;
  /** Bytes are base64-encoded (`isBase64Encoded: true`), as the webhook route gets them; text is passed as is. */
  readonly body?: Buffer | string;
  readonly sourceIp?: string;
  /** The API's id, account and domain. @default the sandbox's: `local`, `000000000000`, `localhost` */
  readonly apiId?: string;
  readonly accountId?: string;
  readonly domainName?: string;
}

/** The event of one request to a route without authorization (the webhook route). */
export function httpApiEvent(request: HttpApiRequest): APIGatewayProxyEventV2 {
  const now = Date.now();
  const [method = "GET"] = request.routeKey.split(" ");
  const headers = Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const query = request.query ?? "";
  const apiId = request.apiId ?? "local";
  const body = request.body;
  return {
    version: "2.0",
    routeKey: request.routeKey,
    rawPath: request.path,
    rawQueryString: query,
    headers,
    ...(query ? { queryStringParameters: Object.fromEntries(new URLSearchParams(query)) } : {}),
    ...(request.pathParameters ? { pathParameters: request.pathParameters } : {}),
    requestContext: {
      accountId: request.accountId ?? "000000000000",
      apiId,
      domainName: request.domainName ?? headers.host ?? "localhost",
      domainPrefix: apiId,
      http: {
        method,
        path: request.path,
        protocol: "HTTP/1.1",
        sourceIp: request.sourceIp ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: ulid(now),
      routeKey: request.routeKey,
      stage: "$default",
      time: new Date(now).toISOString(),
      timeEpoch: now,
    },
    ...(body === undefined
      ? { isBase64Encoded: false }
      : typeof body === "string"
        ? { body, isBase64Encoded: false }
        : { body: body.toString("base64"), isBase64Encoded: true }),
  };
}

/**
 * The event of one request to an IAM-authorized route, with the caller as API Gateway reports it.
 * @param callerArn - the signing principal's ARN. @default the sandbox's caller, `local`
 */
export function iamAuthorizedHttpApiEvent(
  request: HttpApiRequest,
  callerArn = "local",
): APIGatewayProxyEventV2WithIAMAuthorizer {
  const event = httpApiEvent(request);
  const accountId = event.requestContext.accountId;
  return {
    ...event,
    requestContext: {
      ...event.requestContext,
      authorizer: {
        iam: {
          accessKey: "ASIALOCALCALLER",
          accountId,
          callerId: "AIDALOCALCALLER",
          cognitoIdentity: null,
          principalOrgId: null,
          userArn: callerArn,
          userId: "AIDALOCALCALLER",
        },
      },
    },
    // AWS sends null for an absent organization and Cognito identity; @types/aws-lambda says string.
  } as unknown as APIGatewayProxyEventV2WithIAMAuthorizer;
}
