/** Lambda entry of batch-start: real adapters built once per execution environment. */
import { S3Client } from "@aws-sdk/client-s3";
import { SFNClient } from "@aws-sdk/client-sfn";
import { readObjectTags } from "../adapters/s3/uploads.ts";
import { stepFunctionsStarter } from "../adapters/stepfunctions/batch-executions.ts";
import { VendorRegistry } from "../runtime/vendor-registry.ts";
import { makeHandler } from "./batch-start.ts";
import { readEnv } from "./env.ts";

const env = readEnv();
const s3 = new S3Client({});

export const handler = makeHandler({
  vendors: VendorRegistry.fromBundle(),
  start: stepFunctionsStarter(new SFNClient({}), env.BATCH_STATE_MACHINE_ARN),
  readTags: (source) => readObjectTags(s3, source),
});
