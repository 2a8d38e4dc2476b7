/**
 * The template's Lambda functions run in this process as Lambda would run them: each `handler.ts`
 * (named by the function's `vendor-sync:entry` metadata) imported once with the function's
 * environment resolved from the template, its module-scope SDK clients and adapters built as at a
 * cold start, every invocation attributed to the function for the SDK call recorder.
 */
import { loadVendorConfigs } from "../../../config/load-vendors.ts";
import type { VendorConfig } from "../../../lambdas/core/vendor-config.ts";
import { FUNCTION_ENTRY_METADATA } from "../../../lib/constructs/vendor-sync-function.ts";
import { repoPath } from "../files.ts";
import { asFunction } from "./capture.ts";
import type { DeployedApp } from "./cloudformation.ts";

export interface DeployedFunction {
  readonly logicalId: string;
  /** `lambdas/<name>/handler.ts`. */
  readonly entry: string;
  readonly name: string;
  readonly arn: string;
  readonly roleLogicalId: string;
  readonly roleArn: string;
  readonly environment: Record<string, string>;
}

type Handler = (event: unknown, context?: unknown) => Promise<unknown>;

/** Fake credentials: requests are signed, never sent to AWS. */
const LAMBDA_RUNTIME_ENV = {
  AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKEFAKE",
  AWS_SECRET_ACCESS_KEY: "fake-secret-access-key",
  AWS_SESSION_TOKEN: "fake-session-token",
};

/** The functions of an app's templates, by logical id and by entry. */
export class DeployedFunctions {
  readonly all: readonly DeployedFunction[];
  readonly #handlers = new Map<string, Handler>();

  constructor(readonly app: DeployedApp) {
    this.all = app.resources("AWS::Lambda::Function").map(([logicalId, resource]) => {
      const stack = app.stackOf(logicalId);
      const entry = resource.Metadata?.[FUNCTION_ENTRY_METADATA];
      if (typeof entry !== "string")
        throw new Error(`function ${logicalId} has no ${FUNCTION_ENTRY_METADATA} metadata`);
      const role = resource.Properties.Role["Fn::GetAtt"]?.[0];
      return {
        logicalId,
        entry,
        name: app.ref(logicalId),
        arn: app.attribute(logicalId, "Arn"),
        roleLogicalId: role,
        roleArn: app.resolve(resource.Properties.Role, stack),
        environment: app.resolve(resource.Properties.Environment?.Variables ?? {}, stack),
      };
    });
  }

  /** The function built from `lambdas/<name>/handler.ts`. */
  byEntry(name: string): DeployedFunction {
    const fn = this.all.find((f) => f.entry === `lambdas/${name}/handler.ts`);
    if (!fn) throw new Error(`no function built from lambdas/${name}/handler.ts`);
    return fn;
  }

  /**
   * Invokes a function's `handler` with an event, as Lambda would, with its environment in
   * `process.env` (imported, once per vendor set, on first use).
   * @param options.vendors - the vendor configurations bundled into this copy of the function (a
   *   variant of the bundled ones, e.g. a lower hand-off threshold). @default the bundled ones
   */
  async invoke(
    fn: DeployedFunction,
    event: unknown,
    options: { context?: Record<string, unknown>; vendors?: { name: string; configs: readonly VendorConfig[] } } = {},
  ): Promise<unknown> {
    const environment = {
      ...LAMBDA_RUNTIME_ENV,
      ...fn.environment,
      AWS_REGION: this.app.stackOf(fn.logicalId).region,
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
    };
    const saved = { ...process.env };
    Object.assign(process.env, environment);
    try {
      const variant = options.vendors?.name;
      const cacheKey = variant ? `${fn.logicalId}?${variant}` : fn.logicalId;
      let handler = this.#handlers.get(cacheKey);
      if (!handler) {
        (globalThis as { __VENDOR_CONFIGS__?: string }).__VENDOR_CONFIGS__ = JSON.stringify(
          options.vendors?.configs ?? [...loadVendorConfigs().values()],
        );
        const module = (await import(`${repoPath(fn.entry)}${variant ? `?vendors=${variant}` : ""}`)) as {
          handler: Handler;
        };
        handler = module.handler;
        this.#handlers.set(cacheKey, handler);
      }
      const lambdaContext = {
        functionName: fn.name,
        invokedFunctionArn: fn.arn,
        awsRequestId: `request-${Date.now()}`,
        getRemainingTimeInMillis: () => 60_000,
        ...options.context,
      };
      const run = handler;
      return await asFunction(fn.logicalId, () => run(event, lambdaContext));
    } finally {
      for (const key of Object.keys(environment)) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  }
}
