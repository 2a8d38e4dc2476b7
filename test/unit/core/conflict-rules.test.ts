import { describe, expect, it } from "vitest";
import { compareStamps, type Decision, decide } from "../../../lambdas/core/conflict-rules.ts";
import type { SyncRecord } from "../../../lambdas/core/record.ts";
import { change, MINUTE, policy, T0 } from "../../support/changes.ts";

const NOW = T0 + 60 * MINUTE;

/** Applies a change like the write path does, returning the new record (or the old one when nothing is written). */
function apply(current: SyncRecord | undefined, c: ReturnType<typeof change>, p = policy("last-write-wins")) {
  const decision = decide(current, c, p, NOW);
  return {
    decision,
    record: decision.action === "write" || decision.action === "restamp" ? decision.record : current,
  };
}

function written(decision: Decision): SyncRecord {
  if (decision.action !== "write" && decision.action !== "restamp")
    throw new Error(`expected a write, got ${decision.action}: ${JSON.stringify(decision)}`);
  return decision.record;
}

describe("decide — creating", () => {
  it("creates a record at version 1 with its provenance", () => {
    const decision = decide(
      undefined,
      change({ eventId: "e1", attributes: { amount: "19.90" } }),
      policy("last-write-wins"),
      NOW,
    );
    expect(decision).toMatchObject({ action: "write", outcome: "created" });
    expect(written(decision)).toMatchObject({
      version: 1,
      sourceTs: T0,
      source: "vendor:file",
      lastEventId: "e1",
      lastJobId: "job-test",
      attributes: { amount: 1990, currency: "USD" },
      deleted: false,
      createdAt: NOW,
    });
  });

  it("rejects a new record without its required fields", () => {
    const decision = decide(
      undefined,
      change({ attributes: { compareAtAmount: "5" } }),
      policy("last-write-wins"),
      NOW,
    );
    expect(decision).toMatchObject({ action: "reject", field: "attributes.amount" });
  });

  it("creates a tombstone for a delete of an unknown record, so an older update stays deleted", () => {
    const { record } = apply(undefined, change({ op: "delete", sourceTs: T0 + MINUTE }));
    expect(record).toMatchObject({ deleted: true, deletedAt: T0 + MINUTE, attributes: {} });
    const late = apply(record, change({ attributes: { amount: "5" }, sourceTs: T0 }));
    expect(late.decision).toMatchObject({ outcome: "stale", conflictType: "timestamp" });
    expect(late.decision.action === "skip" && late.decision.reason).toMatch(/stays deleted/);
  });
});

describe("decide — last-write-wins", () => {
  const base = written(
    decide(undefined, change({ eventId: "e1", attributes: { amount: "10" } }), policy("last-write-wins"), NOW),
  );

  it("applies a newer change and bumps the version", () => {
    const decision = decide(
      base,
      change({ eventId: "e2", sourceTs: T0 + MINUTE, attributes: { amount: "11" } }),
      policy("last-write-wins"),
      NOW,
    );
    expect(decision).toMatchObject({ outcome: "updated" });
    expect(written(decision)).toMatchObject({ version: 2, attributes: { amount: 1100 }, lastEventId: "e2" });
  });

  it("acknowledges an older change as stale (timestamp conflict) and keeps the newer data", () => {
    const decision = decide(
      base,
      change({ eventId: "e0", sourceTs: T0 - MINUTE, attributes: { amount: "9" } }),
      policy("last-write-wins"),
      NOW,
    );
    expect(decision).toMatchObject({ action: "skip", outcome: "stale", conflictType: "timestamp" });
  });

  it("reports equal content as unchanged whatever the event id, with no write", () => {
    const decision = decide(
      base,
      change({ eventId: "other", sourceTs: T0, sourceVersion: 0, attributes: { amount: "10.00" } }),
      policy("last-write-wins"),
      NOW,
    );
    expect(decision).toMatchObject({ action: "restamp", outcome: "unchanged" });
    const older = decide(
      base,
      change({ eventId: "older", sourceTs: T0 - MINUTE, attributes: { amount: "10.00" } }),
      policy("last-write-wins"),
      NOW,
    );
    expect(older).toMatchObject({ action: "skip", outcome: "unchanged" });
  });

  it("keeps the newer time and event id of equal content, without a new version (A-B-A)", () => {
    const p = policy("last-write-wins");
    const a1 = written(decide(undefined, change({ eventId: "a1", attributes: { amount: "5" } }), p, NOW));
    const a3 = decide(a1, change({ eventId: "a3", sourceTs: T0 + 2 * MINUTE, attributes: { amount: "5" } }), p, NOW);
    expect(a3).toMatchObject({
      action: "restamp",
      outcome: "unchanged",
      record: { version: 1, sourceTs: T0 + 2 * MINUTE, lastEventId: "a3", attributes: { amount: 500 } },
    });
    const b2 = decide(
      written(a3),
      change({ eventId: "b2", sourceTs: T0 + MINUTE, attributes: { amount: "4" } }),
      p,
      NOW,
    );
    expect(b2).toMatchObject({ outcome: "stale" });
  });

  it("treats the same event id with other content as a duplicate", () => {
    const decision = decide(
      base,
      change({ eventId: "e1", attributes: { amount: "99" } }),
      policy("last-write-wins"),
      NOW,
    );
    expect(decision).toMatchObject({ action: "skip", outcome: "duplicate" });
  });

  it("leaves absent fields and clears null ones", () => {
    const withCompare = written(
      decide(
        base,
        change({ eventId: "e2", sourceTs: T0 + 1, attributes: { compareAtAmount: "12" } }),
        policy("last-write-wins"),
        NOW,
      ),
    );
    expect(withCompare.attributes).toEqual({ amount: 1000, currency: "USD", compareAtAmount: 1200 });
    const cleared = written(
      decide(
        withCompare,
        change({ eventId: "e3", sourceTs: T0 + 2, attributes: { compareAtAmount: null } }),
        policy("last-write-wins"),
        NOW,
      ),
    );
    expect(cleared.attributes).toEqual({ amount: 1000, currency: "USD" });
  });

  it("revives a deleted record with a newer update", () => {
    const deleted = written(
      decide(base, change({ op: "delete", eventId: "d", sourceTs: T0 + MINUTE }), policy("last-write-wins"), NOW),
    );
    const revived = written(
      decide(
        deleted,
        change({ eventId: "e3", sourceTs: T0 + 2 * MINUTE, attributes: { amount: "12" } }),
        policy("last-write-wins"),
        NOW,
      ),
    );
    expect(revived).toMatchObject({ deleted: false, attributes: { amount: 1200, currency: "USD" }, version: 3 });
  });

  it("breaks sourceTs ties by sourceVersion, then source rank, then event id", () => {
    const rank = policy("last-write-wins").rank;
    const stamp = (over: object) => ({ sourceTs: T0, source: "vendor:file" as const, eventId: "m", ...over });
    expect(compareStamps(stamp({ sourceVersion: 2 }), stamp({ sourceVersion: 1 }), rank)).toBeGreaterThan(0);
    expect(compareStamps(stamp({ source: "admin" }), stamp({ source: "vendor:file" }), rank)).toBeGreaterThan(0);
    expect(compareStamps(stamp({ eventId: "b" }), stamp({ eventId: "a" }), rank)).toBeGreaterThan(0);
    expect(compareStamps(stamp({}), stamp({}), rank)).toBe(0);
  });

  it("tags a data conflict when another party's value is overwritten", () => {
    const decision = decide(
      base,
      change({ eventId: "i1", source: "internal", sourceTs: T0 + MINUTE, attributes: { amount: "11" } }),
      policy("last-write-wins"),
      NOW,
    );
    expect(decision).toMatchObject({ outcome: "updated", conflictType: "data" });
  });
});

describe("decide — source-priority", () => {
  const internal = written(
    decide(
      undefined,
      change({ eventId: "i1", source: "internal", sourceTs: T0 + 10 * MINUTE, attributes: { amount: "10" } }),
      policy("source-priority"),
      NOW,
    ),
  );

  it("lets a higher-ranked source win even with an older time", () => {
    const decision = decide(
      internal,
      change({ eventId: "v1", source: "vendor:webhook", sourceTs: T0, attributes: { amount: "12" } }),
      policy("source-priority"),
      NOW,
    );
    expect(decision).toMatchObject({ outcome: "updated", conflictType: "data" });
  });

  it("refuses a lower-ranked source even with a newer time", () => {
    const vendor = written(
      decide(
        internal,
        change({ eventId: "v1", source: "vendor:webhook", sourceTs: T0, attributes: { amount: "12" } }),
        policy("source-priority"),
        NOW,
      ),
    );
    const decision = decide(
      vendor,
      change({ eventId: "i2", source: "internal", sourceTs: T0 + 20 * MINUTE, attributes: { amount: "13" } }),
      policy("source-priority"),
      NOW,
    );
    expect(decision).toMatchObject({ action: "skip", outcome: "stale", conflictType: "data" });
  });

  it("falls back to last-write-wins between equal ranks", () => {
    const vendor = written(
      decide(
        undefined,
        change({ eventId: "f1", source: "vendor:file", sourceTs: T0 + MINUTE, attributes: { amount: "12" } }),
        policy("source-priority"),
        NOW,
      ),
    );
    const older = decide(
      vendor,
      change({ eventId: "w1", source: "vendor:webhook", sourceTs: T0, attributes: { amount: "13" } }),
      policy("source-priority"),
      NOW,
    );
    expect(older).toMatchObject({ outcome: "stale", conflictType: "timestamp" });
  });
});

describe("decide — manual-review", () => {
  const review = policy("manual-review");
  const vendorRecord = written(decide(undefined, change({ eventId: "v1", attributes: { amount: "10" } }), review, NOW));
  const internalEdit = written(
    decide(
      vendorRecord,
      change({ eventId: "i1", source: "internal", sourceTs: T0 + MINUTE, attributes: { amount: "11" } }),
      review,
      NOW,
    ),
  );

  it("applies a local (internal) edit over vendor data", () => {
    expect(internalEdit).toMatchObject({ version: 2, source: "internal", attributes: { amount: 1100 } });
  });

  it("holds a vendor change over a local edit for review, with the field diff", () => {
    const decision = decide(
      internalEdit,
      change({ eventId: "v2", sourceTs: T0 + 2 * MINUTE, attributes: { amount: "12" } }),
      review,
      NOW,
    );
    expect(decision.action).toBe("review");
    if (decision.action !== "review") return;
    expect(decision.conflict).toMatchObject({
      reason: "data",
      recordVersion: 2,
      proposed: { attributes: { amount: 1200, currency: "USD" }, deleted: false },
      diff: [{ field: "amount", current: 1100, incoming: 1200 }],
    });
  });

  it("holds a change made against an old version (version conflict)", () => {
    const decision = decide(
      internalEdit,
      change({
        eventId: "a1",
        source: "internal",
        expectedVersion: 1,
        sourceTs: T0 + 3 * MINUTE,
        attributes: { amount: "14" },
      }),
      review,
      NOW,
    );
    expect(decision).toMatchObject({ action: "review", conflict: { reason: "version" } });
  });

  it("still treats an older vendor change as stale, not as a conflict", () => {
    const decision = decide(
      internalEdit,
      change({ eventId: "v0", sourceTs: T0 - MINUTE, attributes: { amount: "9" } }),
      review,
      NOW,
    );
    expect(decision).toMatchObject({ outcome: "stale", conflictType: "timestamp" });
  });

  it("lets vendor data follow vendor data", () => {
    const decision = decide(
      vendorRecord,
      change({ eventId: "v2", sourceTs: T0 + MINUTE, attributes: { amount: "12" } }),
      review,
      NOW,
    );
    expect(decision).toMatchObject({ outcome: "updated" });
  });
});

describe("decide — merge", () => {
  const merge = policy("merge");
  const product = (input: Record<string, unknown>) => change({ entityType: "product", ...input });

  it("combines non-overlapping changes from different sources", () => {
    const a = written(
      decide(undefined, product({ eventId: "a", attributes: { title: "Bag", brand: "Luma" } }), merge, NOW),
    );
    const b = written(
      decide(
        a,
        product({ eventId: "b", source: "internal", sourceTs: T0 + MINUTE, attributes: { tags: ["gym"] } }),
        merge,
        NOW,
      ),
    );
    const late = decide(
      b,
      product({ eventId: "c", sourceTs: T0 - MINUTE, attributes: { title: "Old", description: "<p>x</p>" } }),
      merge,
      NOW,
    );
    // The late change loses on title (older) but brings a field nobody wrote.
    expect(written(late).attributes).toEqual({ title: "Bag", brand: "Luma", tags: ["gym"], description: "<p>x</p>" });
  });

  it("is stale when every field it carries is older", () => {
    const a = written(
      decide(undefined, product({ eventId: "a", sourceTs: T0 + MINUTE, attributes: { title: "New" } }), merge, NOW),
    );
    expect(decide(a, product({ eventId: "b", attributes: { title: "Old" } }), merge, NOW)).toMatchObject({
      outcome: "stale",
    });
  });
});

describe("decide — price-change guard", () => {
  const guarded = policy("last-write-wins", { priceGuard: { maxChangePercent: 50, action: "review" } });
  const base = written(decide(undefined, change({ eventId: "p1", attributes: { amount: "100" } }), guarded, NOW));

  it("lets a change within the guard through", () => {
    expect(
      decide(base, change({ eventId: "p2", sourceTs: T0 + 1, attributes: { amount: "150" } }), guarded, NOW),
    ).toMatchObject({ outcome: "updated" });
  });

  it("sends a change over the guard to manual review", () => {
    const decision = decide(
      base,
      change({ eventId: "p2", sourceTs: T0 + 1, attributes: { amount: "150.01" } }),
      guarded,
      NOW,
    );
    expect(decision).toMatchObject({ action: "review", conflict: { reason: "price-guard" } });
  });

  it("rejects instead when the vendor says so", () => {
    const rejecting = policy("last-write-wins", { priceGuard: { maxChangePercent: 50, action: "reject" } });
    expect(
      decide(base, change({ eventId: "p2", sourceTs: T0 + 1, attributes: { amount: "10" } }), rejecting, NOW),
    ).toMatchObject({
      action: "reject",
      rule: "price-guard",
    });
  });

  it("exempts admin edits and currency changes", () => {
    expect(
      decide(
        base,
        change({ eventId: "a", source: "admin", sourceTs: T0 + 1, attributes: { amount: "900" } }),
        guarded,
        NOW,
      ),
    ).toMatchObject({ outcome: "updated" });
    expect(
      decide(
        base,
        change({ eventId: "c", sourceTs: T0 + 1, attributes: { amount: "15000", currency: "JPY" } }),
        guarded,
        NOW,
      ),
    ).toMatchObject({ outcome: "updated" });
  });
});

describe("decide — regressions found by the property tests", () => {
  it("a newer delete of a deleted record moves the tombstone, so an update between the deletes stays out", () => {
    // Delivery order e1, e0, e2 of: e0 delete (version 0), e1 delete, e2 update — all at the same time.
    const p = policy("last-write-wins");
    const e0 = change({ op: "delete", eventId: "e0", sourceVersion: 0 });
    const e1 = change({ op: "delete", eventId: "e1" });
    const e2 = change({ eventId: "e2", attributes: { amount: "102" } });
    const first = written(decide(undefined, e1, p, NOW));
    const second = decide(first, e0, p, NOW);
    expect(second).toMatchObject({
      action: "restamp",
      outcome: "unchanged",
      record: { version: 1, lastEventId: "e0" },
    });
    expect(decide(written(second), e2, p, NOW)).toMatchObject({ outcome: "stale" });
  });

  it("merge keeps the stamp of a delete that removed nothing, so older fields stay out", () => {
    const p = policy("merge");
    const product = (input: Record<string, unknown>) => change({ entityType: "product", ...input });
    const newer = written(
      decide(undefined, product({ eventId: "e0", sourceTs: T0 + 1000, attributes: { productType: "p0" } }), p, NOW),
    );
    const afterDelete = written(decide(newer, product({ op: "delete", eventId: "e1" }), p, NOW));
    expect(afterDelete.deleteStamp?.eventId).toBe("e1");
    const older = decide(
      afterDelete,
      product({ eventId: "e2", source: "internal", attributes: { description: "d2" } }),
      p,
      NOW,
    );
    expect(older).toMatchObject({ outcome: "stale" });
  });
});
