/** Lambda entry of admin-api: the admin routes on the same job lifecycle as the on-demand function. */
import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { log, logger } from "../runtime/powertools.ts";
import { jobsFromEnv } from "../sync-jobs/jobs.ts";
import { jobRoutes, makeHandler } from "./admin-api.ts";

const admin = makeHandler({ routes: { ...jobRoutes(jobsFromEnv()) }, log });

export const handler = async (
  event: APIGatewayProxyEventV2WithIAMAuthorizer,
): Promise<APIGatewayProxyStructuredResultV2> => {
  logger.appendKeys({ routeKey: event.routeKey });
  return admin(event);
};
