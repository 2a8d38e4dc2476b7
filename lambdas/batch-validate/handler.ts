/** Lambda entry of batch-validate: real adapters built once per execution environment. */
import { S3Client } from "@aws-sdk/client-s3";
import { S3ObjectStore } from "../adapters/s3/object-store.ts";
import { VendorRegistry } from "../runtime/vendor-registry.ts";
import { makeHandler } from "./batch-validate.ts";
import { readEnv } from "./env.ts";

const env = readEnv();

export const handler = makeHandler({
  vendors: VendorRegistry.fromBundle(),
  store: new S3ObjectStore({ client: new S3Client({}), bucket: env.IMPORTS_BUCKET_NAME }),
});
