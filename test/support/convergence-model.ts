/**
 * Model-based convergence tests (fast-check `commands`): random vendor events over every entity type
 * and conflict strategy, delivered through the change interpreter's entries in random order — one at a
 * time (a webhook), in pages (a pull, apply-changes), as a batch plan replayed by apply, after a dry
 * run that must predict the live run, twice (redeliveries), and by two writers at once — against a
 * small reference model: the single-step rules folded over the delivered events in source-time order.
 * After every command, every record and every open conflict must equal the reference's.
 */
import fc from "fast-check";
import { expect } from "vitest";
import type { Change } from "../../lambdas/core/change.ts";
import { ChangeInterpreter } from "../../lambdas/core/changes/interpreter.ts";
import type { WritePolicy } from "../../lambdas/core/changes/ports.ts";
import type { ChangeResult } from "../../lambdas/core/changes/results.ts";
import { Tally } from "../../lambdas/core/changes/tally.ts";
import { compareStamps, type decide, decideStep } from "../../lambdas/core/conflict-rules.ts";
import { type EntityType, recordId } from "../../lambdas/core/model.ts";
import { countsReconcile } from "../../lambdas/core/outcomes.ts";
import type { ConflictStore, RecordStore } from "../../lambdas/core/ports.ts";
import { recordStamp, type SyncRecord } from "../../lambdas/core/record.ts";
import { DEFAULT_SOURCE_PRIORITY } from "../../lambdas/core/vendor-policy.ts";
import { change, T0 } from "./changes.ts";

const MINUTE = 60_000;
const NOW = T0 + 1e9;

/** The rules of one test vendor, per entity type: every strategy, and the price guard. */
export const VENDOR_RULES: Readonly<Record<EntityType, WritePolicy>> = {
  price: policyOf("last-write-wins", true),
  inventory: policyOf("last-write-wins", false),
  product: policyOf("manual-review", false),
  order: policyOf("source-priority", false),
};
/** A second vendor: merge for products (partial changes), source-priority with the guard for prices. */
export const MERGE_RULES: Readonly<Record<EntityType, WritePolicy>> = {
  price: policyOf("source-priority", true),
  inventory: policyOf("last-write-wins", false),
  product: policyOf("merge", false),
  order: policyOf("last-write-wins", false),
};

function policyOf(strategy: WritePolicy["strategy"], guard: boolean): WritePolicy {
  return {
    strategy,
    rank: (source) => DEFAULT_SOURCE_PRIORITY[source],
    negativeStock: "allow",
    ...(guard ? { priceGuard: { maxChangePercent: 50, action: "review" as const } } : {}),
  };
}

/** Attributes of each type from small pools, so equal content recurs (A-B-A) and the guard trips. */
function attributesOf(entityType: EntityType, pick: number, partial: boolean, fields: number): Record<string, unknown> {
  switch (entityType) {
    case "price":
      return {
        amount: ["10.00", "12.00", "30.00"][pick % 3],
        currency: "USD",
        compareAtAmount: pick % 2 === 0 ? "40.00" : null,
      };
    case "inventory":
      return { available: [5, 4, 0][pick % 3], locationId: "L1" };
    case "order":
      return { status: ["open", "closed"][pick % 2], currency: "USD", totalAmount: "9.00" };
    case "product": {
      const all = {
        title: ["A", "B"][pick % 2] as string,
        brand: ["X", "Y", "Z"][pick % 3] as string,
        description: `d${pick % 2}`,
      };
      if (!partial) return all;
      const names = Object.keys(all).filter((_, i) => (fields >> i) & 1);
      return Object.fromEntries((names.length > 0 ? names : ["title"]).map((n) => [n, all[n as keyof typeof all]]));
    }
  }
}

/** One generated vendor event. */
export interface ModelEvent {
  readonly change: Change;
}

/** Events over two keys of every entity type, at most six per record (the fold remembers eight). */
export function eventsArbitrary(rules: Readonly<Record<EntityType, WritePolicy>>): fc.Arbitrary<Change[]> {
  const one = fc.record({
    entityType: fc.constantFrom<EntityType>("price", "inventory", "product", "order"),
    // Mostly one record per type, so its changes meet each other in every order.
    key: fc.constantFrom("K1", "K1", "K1", "K2"),
    minute: fc.integer({ min: 1, max: 4 }),
    version: fc.option(fc.integer({ min: 0, max: 1 }), { nil: undefined }),
    source: fc.constantFrom("vendor:webhook", "vendor:pull", "vendor:file", "internal", "admin"),
    del: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    pick: fc.nat(5),
    fields: fc.integer({ min: 1, max: 7 }),
  });
  return fc.array(one, { minLength: 1, maxLength: 18 }).map((events) => {
    const perRecord = new Map<string, number>();
    const out: Change[] = [];
    events.forEach((e, i) => {
      const id = `${e.entityType}/${e.key}`;
      if ((perRecord.get(id) ?? 0) >= 6) return;
      perRecord.set(id, (perRecord.get(id) ?? 0) + 1);
      const partial = rules[e.entityType].strategy === "merge";
      out.push(
        change({
          entityType: e.entityType,
          entityKey: e.key,
          eventId: `e${String(i).padStart(2, "0")}`,
          sourceTs: T0 + e.minute * MINUTE,
          ...(e.version === undefined ? {} : { sourceVersion: e.version }),
          source: e.source,
          op: e.del ? "delete" : "upsert",
          attributes: e.del ? {} : attributesOf(e.entityType, e.pick, partial, e.fields),
        }),
      );
    });
    return out;
  });
}

/** What the reference model says a record ends as, and which of its changes stay held for review. */
export interface Expected {
  readonly record: ReturnType<typeof visible>;
  readonly open: readonly string[];
}

/** The part of a record the promise is about: content and the time, source and event it reflects. */
export function visible(record: SyncRecord | undefined) {
  if (!record) return undefined;
  return {
    attributes: record.attributes,
    deleted: record.deleted,
    ...(record.deleted ? { deletedAt: record.deletedAt } : {}),
    stamp: recordStamp(record),
    ...(record.fieldStamps ? { fieldStamps: record.fieldStamps } : {}),
  };
}

/** The reference model: the single-step rules folded over the delivered events in source-time order. */
export function reference(
  events: readonly Change[],
  rules: Readonly<Record<EntityType, WritePolicy>>,
): Map<string, Expected> {
  const byRecord = Map.groupBy(events, (e) => recordId(e));
  const out = new Map<string, Expected>();
  for (const [id, list] of byRecord) {
    const policy = rules[(list[0] as Change).entityType];
    const unique = [...new Map(list.map((e) => [e.eventId, e])).values()];
    unique.sort((a, b) => compareStamps(stampOf(a), stampOf(b), policy.rank));
    let state: SyncRecord | undefined;
    const held: Change[] = [];
    const applied: Change[] = [];
    for (const e of unique) {
      const d = decideStep(state, e, policy, NOW);
      if (d.action === "write" || d.action === "restamp") {
        state = d.record;
        applied.push(e);
      } else if (d.action === "review") held.push(e);
    }
    const newest = applied.at(-1);
    const open = held
      .filter((h) => !newest || compareStamps(stampOf(newest), stampOf(h), policy.rank) < 0)
      .map((h) => h.eventId)
      .sort();
    out.set(id, { record: visible(state), open });
  }
  return out;
}

const stampOf = (c: Change) => ({
  sourceTs: c.sourceTs,
  ...(c.sourceVersion === undefined ? {} : { sourceVersion: c.sourceVersion }),
  source: c.source,
  eventId: c.eventId,
});

/** The system under test: the real interpreter (two of them, for racing writers) on real stores. */
export interface Real {
  readonly records: RecordStore;
  readonly conflicts: ConflictStore & { openOf(record: Change): Promise<string[]> };
  readonly writers: readonly [ChangeInterpreter, ChangeInterpreter];
  readonly jobs: { n: number };
}

/** Builds the system under test on a pair of stores. */
export function realOn(
  records: RecordStore,
  conflicts: Real["conflicts"],
  rules: Readonly<Record<EntityType, WritePolicy>>,
  broken?: typeof decide,
): Real {
  const make = () =>
    new ChangeInterpreter({
      records,
      conflicts,
      policyFor: (_vendorId, entityType) => rules[entityType],
      sleep: async () => {},
      maxAttempts: 20,
      ...(broken ? { rules: broken } : {}),
    });
  return { records, conflicts, writers: [make(), make()], jobs: { n: 0 } };
}

/** The model: the events delivered so far (and every event there is). */
interface Model {
  readonly all: readonly Change[];
  delivered: Change[];
}

/** Checks the real records and open conflicts against the reference, and that counts reconcile. */
async function settle(
  model: Model,
  real: Real,
  rules: Readonly<Record<EntityType, WritePolicy>>,
  results: readonly ChangeResult[],
) {
  const tally = new Tally();
  tally.add(results);
  expect(countsReconcile(tally.counts)).toBe(true);
  expect(tally.counts.failed, JSON.stringify(results.filter((r) => r.outcome === "failed"))).toBe(0);
  const expected = reference(model.delivered, rules);
  for (const [id, want] of expected) {
    const key = model.all.find((e) => recordId(e) === id) as Change;
    const stored = await real.records.get(key, { consistent: true });
    expect(visible(stored), id).toEqual(want.record);
    expect(await real.conflicts.openOf(key), `open conflicts of ${id}`).toEqual(want.open);
  }
}

type Cmd = fc.AsyncCommand<Model, Real>;
type Rules = Readonly<Record<EntityType, WritePolicy>>;

/** A webhook or a page of a pull: live mode, one batch. */
class Deliver implements Cmd {
  constructor(
    readonly picks: readonly number[],
    readonly rules: Rules,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const batch = this.picks.map((p) => model.all[p % model.all.length] as Change);
    const results = await real.writers[0].writeBatch(batch);
    model.delivered.push(...batch);
    await settle(model, real, this.rules, results);
  }
  toString = () => `deliver(${this.picks})`;
}

/** A dry run of a batch, which must predict what live mode then does with it. */
class DryRunThenDeliver implements Cmd {
  constructor(
    readonly picks: readonly number[],
    readonly rules: Rules,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const batch = this.picks.map((p) => model.all[p % model.all.length] as Change);
    const predicted = await real.writers[0].dryRun().writeBatch(batch);
    const results = await real.writers[0].writeBatch(batch);
    const shown = (rs: readonly ChangeResult[]) => rs.map(({ record: _r, fields: _f, ...rest }) => rest);
    expect(shown(predicted)).toEqual(shown(results));
    model.delivered.push(...batch);
    await settle(model, real, this.rules, results);
  }
  toString = () => `dryRunThenDeliver(${this.picks})`;
}

/** A batch file: a plan (read-only), then apply replays it through live mode. */
class PlanAndApply implements Cmd {
  constructor(
    readonly picks: readonly number[],
    readonly rules: Rules,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const batch = this.picks.map((p) => model.all[p % model.all.length] as Change);
    const jobId = `job-${++real.jobs.n}`;
    const { results, planned } = await real.writers[0].plan({ restamps: "write" }).decide(batch);
    const entries = planned.flatMap((entry) => (entry ? [entry] : []));
    const applied = await real.writers[1].replay(entries, jobId);
    const final = results.map((result, i) => {
      const entry = planned[i];
      return entry ? (applied[entries.indexOf(entry)] as ChangeResult) : result;
    });
    model.delivered.push(...batch);
    await settle(model, real, this.rules, final);
  }
  toString = () => `planAndApply(${this.picks})`;
}

/** A batch plan, then a webhook writer lands before the plan's apply (between plan and commit). */
class PlanRacedByWebhook implements Cmd {
  constructor(
    readonly file: readonly number[],
    readonly webhook: readonly number[],
    readonly rules: Rules,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const batch = this.file.map((p) => model.all[p % model.all.length] as Change);
    const live = this.webhook.map((p) => model.all[p % model.all.length] as Change);
    const jobId = `job-${++real.jobs.n}`;
    const { results, planned } = await real.writers[0].plan({ restamps: "write" }).decide(batch);
    const raced = await real.writers[1].writeBatch(live);
    const entries = planned.flatMap((entry) => (entry ? [entry] : []));
    const applied = await real.writers[0].replay(entries, jobId);
    const final = results.map((result, i) => {
      const entry = planned[i];
      return entry ? (applied[entries.indexOf(entry)] as ChangeResult) : result;
    });
    model.delivered.push(...batch, ...live);
    await settle(model, real, this.rules, [...final, ...raced]);
  }
  toString = () => `planRacedByWebhook(${this.file} | ${this.webhook})`;
}

/** Two writers at once (two Lambdas on the same records). */
class Race implements Cmd {
  constructor(
    readonly a: readonly number[],
    readonly b: readonly number[],
    readonly rules: Rules,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const one = this.a.map((p) => model.all[p % model.all.length] as Change);
    const two = this.b.map((p) => model.all[p % model.all.length] as Change);
    const [ra, rb] = await Promise.all([real.writers[0].writeBatch(one), real.writers[1].writeBatch(two)]);
    model.delivered.push(...one, ...two);
    await settle(model, real, this.rules, [...ra, ...rb]);
  }
  toString = () => `race(${this.a} | ${this.b})`;
}

/** Every event delivered once more (SQS redelivery, a DLQ redrive, a replay): nothing may change. */
class RedeliverAll implements Cmd {
  constructor(readonly rules: Rules) {}
  check = (model: Readonly<Model>) => model.delivered.length > 0;
  async run(model: Model, real: Real) {
    const results = await real.writers[1].writeBatch(model.delivered.slice(0, 100));
    expect(results.filter((r) => r.outcome === "created" || r.outcome === "updated")).toEqual([]);
    await settle(model, real, this.rules, results);
  }
  toString = () => "redeliverAll";
}

/** The commands over a set of events. */
export function commandsArbitrary(size: number, rules: Rules) {
  const picks = fc.array(fc.nat(size * 4), { minLength: 1, maxLength: 4 });
  return fc.commands(
    [
      picks.map((p) => new Deliver(p, rules)),
      picks.map((p) => new DryRunThenDeliver(p, rules)),
      picks.map((p) => new PlanAndApply(p, rules)),
      fc.tuple(picks, picks).map(([a, b]) => new Race(a, b, rules)),
      fc.tuple(picks, picks).map(([a, b]) => new PlanRacedByWebhook(a, b, rules)),
      fc.constant(new RedeliverAll(rules)),
    ],
    { maxCommands: 12 },
  );
}

/**
 * The convergence property: for random events and command sequences, every record and every open
 * conflict equals the reference model's after every command.
 */
export function convergenceProperty(
  rules: Rules,
  open: () => Promise<{ real: Real; vendorId?: string; close?: () => Promise<void> }>,
) {
  return fc.asyncProperty(
    eventsArbitrary(rules).chain((events) => fc.tuple(fc.constant(events), commandsArbitrary(events.length, rules))),
    async ([generated, cmds]) => {
      const { real, vendorId, close } = await open();
      // A store shared by runs keeps each run's records apart by vendor.
      const events = vendorId ? generated.map((e) => ({ ...e, vendorId })) : generated;
      try {
        await fc.asyncModelRun(() => ({ model: { all: events, delivered: [] }, real }), cmds);
      } finally {
        await close?.();
      }
    },
  );
}
