import { describe, expect, it } from "vitest";
import { costLines, gbSeconds, lambdaSeconds, loadPriceBook, perMillion, totalUsd } from "../../../bench/cost/model.ts";
import { meets } from "../../../bench/lib/budget.ts";

const book = loadPriceBook();

describe("cost model", () => {
  it("keeps a source and a date for every price", () => {
    for (const price of Object.values(book.prices)) {
      expect(price.source).toMatch(/^https:\/\/aws\.amazon\.com\//);
      expect(price.taken).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it("bills Lambda time as CPU plus every call at its documented latency", () => {
    // Prepare
    const work = { name: "f", invocations: 1, memoryMb: 512, cpuMs: 5, calls: { dynamodb: 2, s3: 1 }, logBytes: 0 };
    // Act
    const seconds = lambdaSeconds(work, book);
    // Assess
    expect(seconds).toBeCloseTo((5 + 2 * book.latenciesMs.dynamodb.ms + book.latenciesMs.s3.ms) / 1000);
    expect(gbSeconds(seconds, 512)).toBeCloseTo(seconds / 2);
  });

  it("bills overlapping calls' waits once per batch of calls in flight", () => {
    const alone = { name: "f", invocations: 1, memoryMb: 1024, cpuMs: 3, calls: { dynamodb: 32 }, logBytes: 0 };
    const overlapped = { ...alone, inFlight: { dynamodb: 16 } };
    expect(lambdaSeconds(alone, book)).toBeCloseTo((3 + 32 * book.latenciesMs.dynamodb.ms) / 1000);
    expect(lambdaSeconds(overlapped, book)).toBeCloseTo((3 + 2 * book.latenciesMs.dynamodb.ms) / 1000);
  });

  it("prices each counted unit once and scales to a million changes", () => {
    const lines = costLines({ writeUnits: 2_000_000, readUnits: 1_000_000, s3Puts: 1000 }, book);
    const total = totalUsd(lines);
    expect(total).toBeCloseTo(
      2_000_000 * book.prices.dynamodbWriteRequestUnit.usd +
        1_000_000 * book.prices.dynamodbReadRequestUnit.usd +
        1000 * book.prices.s3PutRequest.usd,
    );
    expect(perMillion(total, 2_000_000)).toBeCloseTo(total / 2);
    expect(lines.map((line) => line.item)).not.toContain("SNS publishes");
  });

  it("adds the platform's log records per invocation to what a function logs", () => {
    const logs = costLines(
      { lambdas: [{ name: "f", invocations: 1000, memoryMb: 128, cpuMs: 0, calls: {}, logBytes: 1000 }] },
      book,
    ).find((line) => line.item.startsWith("CloudWatch Logs"));
    expect(logs?.quantity).toBeCloseTo((1000 + 1000 * book.lambdaPlatformLogBytesPerInvocation.bytes) / 1024 ** 3);
  });
});

describe("budgets", () => {
  it("compares with the target in the budget's direction, and never passes NaN", () => {
    expect(meets(12, "<=", 12)).toBe(true);
    expect(meets(12.01, "<=", 12)).toBe(false);
    expect(meets(80, ">=", 80)).toBe(true);
    expect(meets(Number.NaN, "<=", 1)).toBe(false);
  });
});
