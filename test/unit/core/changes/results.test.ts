import { describe, expect, it } from "vitest";
import { conflictIdOf } from "../../../../lambdas/core/changes/results.ts";
import { change } from "../../../support/changes.ts";

describe("conflict ids", () => {
  it("derives the conflict id from the record and the event", () => {
    const incoming = change({ eventId: "x" });
    expect(conflictIdOf(incoming)).toBe(conflictIdOf({ ...incoming }));
    expect(conflictIdOf(incoming)).not.toBe(conflictIdOf(change({ eventId: "y" })));
  });
});
