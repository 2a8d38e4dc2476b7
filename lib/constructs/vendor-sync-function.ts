import { fileURLToPath } from "node:url";
import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, type CfnFunction, LoggingFormat, Runtime } from "aws-cdk-lib/aws-lambda";
import { type BundlingOptions, NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { VendorConfig } from "../../lambdas/core/vendor-config.ts";
import { acknowledgeWildcardAction, acknowledgeWildcardResources } from "./nag.ts";

export interface VendorSyncFunctionProps {
  /** Path of the handler module, relative to the repository root (`lambdas/<name>/handler.ts`). */
  readonly entry: string;
  readonly description: string;
  /** Vendor configurations inlined into the bundle (validated by the app first). */
  readonly vendors: readonly VendorConfig[];
  /** Log retention. */
  readonly logRetention: RetentionDays;
  /** @default 512 (MB; also buys CPU) */
  readonly memorySize?: number;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** Extra environment (never secrets). */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * The function streams large files (prepare, the pull worker): V8's young generation is capped
   * ({@link STREAMING_NODE_OPTIONS}) so short-lived row objects are collected before the heap grows.
   * @default false
   */
  readonly streamsLargeFiles?: boolean;
  /** Caps concurrent executions; @default no reservation */
  readonly reservedConcurrentExecutions?: number;
}

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/** Template metadata key of a function resource: its handler module (`lambdas/<name>/handler.ts`). */
export const FUNCTION_ENTRY_METADATA = "vendor-sync:entry";

/** `NODE_OPTIONS` of every function: stack traces through the source maps. */
export const DEFAULT_NODE_OPTIONS = "--enable-source-maps";

/**
 * `NODE_OPTIONS` of functions that stream large files: a 4 MB semi-space (V8's young generation)
 * instead of V8's default, which measured 222 → 179 MB peak RSS for a 250 MB CSV and 226 → 141 MB for
 * JSON Lines at no measurable CPU cost (`npm run bench`, memory section, runs its worker with these).
 * @see https://nodejs.org/api/cli.html#--max-semi-space-sizesize-in-mib
 */
export const STREAMING_NODE_OPTIONS = `${DEFAULT_NODE_OPTIONS} --max-semi-space-size=4`;

/**
 * The esbuild options of every function's bundle (also what `npm run bench` builds and measures):
 * minified ESM for Node.js 24 with a source map, a `require` shim for CommonJS dependencies, and the
 * vendor configurations inlined as `__VENDOR_CONFIGS__`.
 *
 * Left out of the bundles:
 * - `@aws-sdk/client-*`: the AWS SDK v3 clients the Node.js 24 Lambda runtime ships. Bundles shrink
 *   from 345–1,125 KB to 43–276 KB and a client needed only on a rare path costs nothing until it is
 *   imported. The trade-off: the runtime's client version (AWS updates it with the runtime) is used,
 *   not the one pinned in package.json, and loading a client from the runtime's unbundled files
 *   takes about as long as evaluating a bundled one. The helpers we bundle (`lib-storage`,
 *   `util-dynamodb`) work with any v3 client.
 * - iconv-lite's double-byte tables (`./tables/*`, CJK code pages, ~390 KB): the vendor schema allows
 *   only `utf-8`, `windows-1252`, `latin1` and `utf-16le`, which never load them. A vendor encoding
 *   added to the schema that needs one must drop this exclusion.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html
 */
export function vendorSyncBundling(vendors: readonly VendorConfig[]): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: "node24",
    minify: true,
    sourceMap: true,
    mainFields: ["module", "main"],
    externalModules: ["@aws-sdk/client-*", "./tables/*"],
    // ESM bundles still meet CommonJS dependencies that call require().
    banner:
      "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    define: { __VENDOR_CONFIGS__: JSON.stringify(JSON.stringify(vendors)) },
  };
}

/**
 * Every function of the project, with the project's defaults in one place: Node.js 24 on ARM_64,
 * ESM bundle built locally by esbuild (minified, source maps), JSON logs in its own log group with
 * retention, a role with only what `bind*` grants, Powertools environment.
 *
 * Default settings: 512 MB, 30 s timeout, `NODE_OPTIONS=--enable-source-maps`, the AWS SDK clients of
 * the runtime (not bundled: see {@link vendorSyncBundling}), log level INFO.
 */
export class VendorSyncFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: VendorSyncFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, "Logs", {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new Role(this, "Role", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: `${props.description} (vendor-sync)`,
    });
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [logGroup.logGroupArn],
      }),
    );
    this.function = new NodejsFunction(this, "Function", {
      entry: `${repoRoot}${props.entry}`,
      projectRoot: repoRoot,
      depsLockFilePath: `${repoRoot}package-lock.json`,
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      role: this.role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      ...(props.reservedConcurrentExecutions === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      environment: {
        NODE_OPTIONS: props.streamsLargeFiles ? STREAMING_NODE_OPTIONS : DEFAULT_NODE_OPTIONS,
        POWERTOOLS_SERVICE_NAME: "vendor-sync",
        POWERTOOLS_METRICS_NAMESPACE: "VendorSync",
        POWERTOOLS_LOG_LEVEL: "INFO",
        ...props.environment,
      },
      bundling: vendorSyncBundling(props.vendors),
    });
    // Which handler the bundle is built from, for tests that run a template's functions by their source.
    (this.function.node.defaultChild as CfnFunction).addMetadata(FUNCTION_ENTRY_METADATA, props.entry);
  }

  /**
   * Grants item access to a table (and, for queries, to named indexes only) and tells the function
   * the table's name, in one call. Statements name the table and index ARNs exactly: no wildcards.
   *
   * @param envName - the environment variable that carries the table name.
   * @param options.access - `read` (GetItem, BatchGetItem, Query) or `readWrite` (also PutItem,
   *   UpdateItem, DeleteItem, BatchWriteItem). @default "readWrite"
   * @param options.indexes - indexes the function queries. @default []
   * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
   */
  bindTable(
    table: ITableV2,
    envName: string,
    options: { access?: "read" | "readWrite"; indexes?: readonly string[] } = {},
  ): this {
    const read = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"];
    const write = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"];
    this.role.addToPolicy(
      new PolicyStatement({
        actions: options.access === "read" ? read : [...read, ...write],
        resources: [table.tableArn],
      }),
    );
    const indexes = options.indexes ?? [];
    if (indexes.length > 0) {
      this.role.addToPolicy(
        new PolicyStatement({
          actions: ["dynamodb:Query"],
          resources: indexes.map((index) => `${table.tableArn}/index/${index}`),
        }),
      );
    }
    table.encryptionKey?.grantEncryptDecrypt(this.role);
    this.function.addEnvironment(envName, table.tableName);
    return this;
  }

  /**
   * Grants object access under key prefixes of a bucket and tells the function the bucket's name,
   * in one call. Actions are exact (no `s3:*`); resources are the prefixes' objects, acknowledged
   * beside the role for cdk-nag: object keys are per job, so a prefix is as narrow as it gets.
   *
   * @param envName - the environment variable that carries the bucket name.
   * @param access.read - prefixes read with GetObject (and GetObjectVersion). @default []
   * @param access.write - prefixes written with PutObject (multipart included). @default []
   * @param access.list - prefixes listed with ListBucket (condition on `s3:prefix`). @default []
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
   */
  bindBucket(
    bucket: IBucket,
    envName: string,
    access: { read?: readonly string[]; write?: readonly string[]; list?: readonly string[] },
  ): this {
    const objects = (prefixes: readonly string[]) => prefixes.map((prefix) => bucket.arnForObjects(`${prefix}*`));
    const acknowledge = (prefixes: readonly string[]) =>
      acknowledgeWildcardResources(
        this.role,
        objects(prefixes),
        `Objects under ${prefixes.join(", ")} are named per job and batch at run time; the grant is limited to those prefixes, with exact actions.`,
      );
    if (access.read?.length) {
      this.role.addToPolicy(
        new PolicyStatement({ actions: ["s3:GetObject", "s3:GetObjectVersion"], resources: objects(access.read) }),
      );
      acknowledge(access.read);
    }
    if (access.write?.length) {
      this.role.addToPolicy(
        new PolicyStatement({ actions: ["s3:PutObject", "s3:AbortMultipartUpload"], resources: objects(access.write) }),
      );
      acknowledge(access.write);
    }
    if (access.list?.length) {
      this.role.addToPolicy(
        new PolicyStatement({
          actions: ["s3:ListBucket"],
          resources: [bucket.bucketArn],
          conditions: { StringLike: { "s3:prefix": access.list.map((prefix) => `${prefix}*`) } },
        }),
      );
    }
    bucket.encryptionKey?.grantEncryptDecrypt(this.role);
    this.function.addEnvironment(envName, bucket.bucketName);
    return this;
  }

  /** Grants sending to a queue and sets its URL. */
  bindQueueSend(queue: IQueue, envName: string): this {
    queue.grantSendMessages(this.role);
    this.function.addEnvironment(envName, queue.queueUrl);
    return this;
  }

  /** Grants reading one secret (the value, not listing). */
  bindSecret(secret: ISecret): this {
    secret.grantRead(this.role);
    return this;
  }

  /**
   * Grants publishing to a topic (and, for a topic encrypted with the AWS managed `aws/sns` key, the
   * KMS data-key use publishers need) and sets its ARN.
   * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
   */
  bindTopic(topic: ITopic, envName: string): this {
    topic.grantPublish(this.role);
    if (topic.masterKey) {
      const reason =
        "Publishing to a topic encrypted with the AWS managed aws/sns key needs kms:GenerateDataKey* and kms:Decrypt; the key is addressed by alias, so CDK scopes the grant with the kms:ResourceAliases condition.";
      acknowledgeWildcardAction(this.role, "kms:GenerateDataKey*", reason);
      acknowledgeWildcardResources(
        this.role,
        [Stack.of(this).formatArn({ service: "kms", resource: "key", resourceName: "*" })],
        reason,
      );
    }
    this.function.addEnvironment(envName, topic.topicArn);
    return this;
  }
}
