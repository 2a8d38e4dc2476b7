/**
 * The cost model: counted calls and measured CPU times priced at list prices (`prices.json`, one
 * documented file). Pure arithmetic, unit-tested; the benchmark's cost section feeds it the counts.
 */
import { readFileSync } from "node:fs";

/** Names of the prices in `prices.json`. */
export type PriceName =
  | "apiGatewayHttpRequest"
  | "sqsRequest"
  | "lambdaRequest"
  | "lambdaArmGbSecond"
  | "stepFunctionsStandardTransition"
  | "stepFunctionsExpressRequest"
  | "stepFunctionsExpressGbSecond"
  | "dynamodbWriteRequestUnit"
  | "dynamodbReadRequestUnit"
  | "s3PutRequest"
  | "s3GetRequest"
  | "snsPublish"
  | "cloudWatchLogsIngestedGb"
  | "cloudWatchCustomMetricMonth";

/** Services whose calls a Lambda function waits for. */
export type Service = "dynamodb" | "s3" | "sqs" | "sns";

/** The price file. */
export interface PriceBook {
  readonly region: string;
  readonly prices: Readonly<
    Record<PriceName, { readonly usd: number; readonly source: string; readonly taken: string }>
  >;
  readonly latenciesMs: Readonly<Record<Service, { readonly ms: number; readonly source: string }>>;
  readonly lambdaPlatformLogBytesPerInvocation: { readonly bytes: number };
}

/** @returns the price book kept beside this file. */
export function loadPriceBook(): PriceBook {
  return JSON.parse(readFileSync(new URL("./prices.json", import.meta.url), "utf8")) as PriceBook;
}

/** One function's share of a scenario (totals over the scenario, not per invocation). */
export interface LambdaWork {
  readonly name: string;
  readonly invocations: number;
  /** Configured memory, MB. */
  readonly memoryMb: number;
  /** CPU time measured on the bench machine, ms (total). */
  readonly cpuMs: number;
  /** AWS calls the function waits for (total), priced in time at the documented latency. */
  readonly calls: Readonly<Partial<Record<Service, number>>>;
  /**
   * How many of each service's calls are in flight at once (the write path's concurrency): their
   * waits overlap, and Lambda bills the wall-clock duration once. @default 1 (each call waits alone)
   * @see https://aws.amazon.com/lambda/pricing/ (duration: from when the code begins executing until it returns)
   */
  readonly inFlight?: Readonly<Partial<Record<Service, number>>>;
  /** What the function logs besides the platform's START/END/REPORT (Powertools lines, EMF), bytes. */
  readonly logBytes: number;
}

/** Everything a scenario uses (totals). */
export interface Usage {
  readonly apiRequests?: number;
  readonly sqsRequests?: number;
  readonly lambdas?: readonly LambdaWork[];
  readonly standardTransitions?: number;
  readonly expressExecutions?: number;
  readonly expressGbSeconds?: number;
  readonly writeUnits?: number;
  readonly readUnits?: number;
  readonly s3Puts?: number;
  readonly s3Gets?: number;
  readonly snsPublishes?: number;
}

/** One priced line of a scenario. */
export interface CostLine {
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly usd: number;
}

/**
 * Billed Lambda time of some work, seconds: its CPU time plus every call it waits for at the
 * documented latency, divided by the calls in flight at once (`inFlight`; CPU and waits are added,
 * not overlapped: an upper bound).
 */
export function lambdaSeconds(work: LambdaWork, book: PriceBook): number {
  let ms = work.cpuMs;
  for (const [service, count] of Object.entries(work.calls) as [Service, number][]) {
    ms += (count * book.latenciesMs[service].ms) / Math.max(1, work.inFlight?.[service] ?? 1);
  }
  return ms / 1000;
}

/** @returns GB-seconds of Lambda time at a memory size. */
export const gbSeconds = (seconds: number, memoryMb: number): number => (seconds * memoryMb) / 1024;

/** @returns the priced lines of a scenario (zero lines left out). */
export function costLines(usage: Usage, book: PriceBook): CostLine[] {
  const p = book.prices;
  const lines: CostLine[] = [];
  const add = (item: string, quantity: number | undefined, unit: string, price: PriceName) => {
    if (!quantity) return;
    lines.push({ item, quantity, unit, usd: quantity * p[price].usd });
  };
  add("API Gateway HTTP API requests", usage.apiRequests, "requests", "apiGatewayHttpRequest");
  add("SQS requests (64 KB chunks)", usage.sqsRequests, "requests", "sqsRequest");
  for (const work of usage.lambdas ?? []) {
    add(`Lambda ${work.name}: invocations`, work.invocations, "requests", "lambdaRequest");
    add(
      `Lambda ${work.name}: ${work.memoryMb} MB Arm`,
      gbSeconds(lambdaSeconds(work, book), work.memoryMb),
      "GB-s",
      "lambdaArmGbSecond",
    );
    add(
      `CloudWatch Logs: ${work.name}`,
      (work.logBytes + work.invocations * book.lambdaPlatformLogBytesPerInvocation.bytes) / 1024 ** 3,
      "GB",
      "cloudWatchLogsIngestedGb",
    );
  }
  add(
    "Step Functions Standard transitions",
    usage.standardTransitions,
    "transitions",
    "stepFunctionsStandardTransition",
  );
  add("Step Functions Express child executions", usage.expressExecutions, "executions", "stepFunctionsExpressRequest");
  add("Step Functions Express duration", usage.expressGbSeconds, "GB-s", "stepFunctionsExpressGbSecond");
  add("DynamoDB write request units", usage.writeUnits, "WRU", "dynamodbWriteRequestUnit");
  add("DynamoDB read request units", usage.readUnits, "RRU", "dynamodbReadRequestUnit");
  add("S3 PUT/LIST requests", usage.s3Puts, "requests", "s3PutRequest");
  add("S3 GET requests", usage.s3Gets, "requests", "s3GetRequest");
  add("SNS publishes", usage.snsPublishes, "publishes", "snsPublish");
  return lines;
}

/** @returns the sum of the lines, USD. */
export const totalUsd = (lines: readonly CostLine[]): number => lines.reduce((sum, line) => sum + line.usd, 0);

/** @returns a cost for `changes` changes scaled to one million changes. */
export const perMillion = (usd: number, changes: number): number => (usd / changes) * 1_000_000;
