import { describe, expect, it } from "vitest";
import { decideRetry } from "../../../../lambdas/core/realtime/retry-policy.ts";

describe("decideRetry", () => {
  it("backs off exponentially with full jitter, capped", () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((receiveCount) => {
      const decision = decideRetry(receiveCount, 99, () => 0.999999);
      return decision.action === "retry" ? decision.delaySeconds : -1;
    });
    expect(ceilings).toEqual([1, 3, 7, 15, 31, 63, 127, 255, 299, 299]);
    const low = decideRetry(5, 99, () => 0);
    expect(low).toEqual({ action: "retry", delaySeconds: 1 });
  });

  it("dead-letters once the receive count passes the vendor's maxRetries", () => {
    expect(decideRetry(3, 3, () => 0.5).action).toBe("retry");
    expect(decideRetry(4, 3, () => 0.5)).toEqual({
      action: "dead-letter",
      reason: "gave up after 4 attempts (maxRetries 3)",
    });
  });

  it("allows sub-second delays when the policy's minimum is 0 (the sandbox)", () => {
    const decision = decideRetry(1, 3, () => 0.5, { baseSeconds: 0.05, minSeconds: 0 });
    expect(decision).toEqual({ action: "retry", delaySeconds: 0.025 });
  });
});
