/**
 * dynalite's store opened in this process, with two caches of what dynalite recomputes on every
 * request and that only the requests themselves can change:
 *
 * - **table descriptions**: every item action first reads its table's description from LevelDB
 *   (one read and a JSON decode per request, a quarter of a PutItem's store operations). Active
 *   tables are kept in memory; CreateTable, UpdateTable and DeleteTable (the only actions that write a
 *   description) bypass and clear the cache while they run ({@link tableChange}).
 * - **parsed condition expressions**: dynalite parses `ConditionExpression` with its PEG parser on
 *   every request (a third of a conditional PutItem's validation). A condition without
 *   `ExpressionAttributeValues` (`attribute_not_exists(#pk)`, every create's) parses to the same tree
 *   for the same names; it is parsed once and each request gets its own copy, with the names it uses
 *   marked used as the parser does. Conditions with values, key conditions and filters are parsed as before.
 *
 * Answers are unchanged: test/integration/embedded-dynamodb-client.test.ts compares them with the SDK
 * over HTTP to dynalite's own server.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** dynalite's store (`dynalite/db`'s `create`): tables and items in LevelDB, in memory or on disk. */
export interface DynaliteStore {
  readonly lifecycleManager: { gracefulClose(callback: (error?: Error) => void): void };
  getTable(name: string, checkStatus: unknown, callback?: unknown): void;
}

type TableCallback = (error: Error | null, table?: { TableStatus?: string }) => void;

/** Table-description caches by store, and how many table changes are running on each. */
const tables = new WeakMap<DynaliteStore, { readonly cache: Map<string, unknown>; changing: number }>();

/** Wraps `store.getTable` with the cache of active tables (see the module comment). */
function cacheTables(store: DynaliteStore): void {
  const state = { cache: new Map<string, unknown>(), changing: 0 };
  tables.set(store, state);
  const read = store.getTable.bind(store);
  store.getTable = (name: string, checkStatus: unknown, callback?: unknown) => {
    const done = (typeof checkStatus === "function" ? checkStatus : callback) as TableCallback;
    const cached = state.changing === 0 ? state.cache.get(name) : undefined;
    if (cached) {
      setImmediate(done, null, cached);
      return;
    }
    const keep: TableCallback = (error, table) => {
      if (!error && table?.TableStatus === "ACTIVE" && state.changing === 0) state.cache.set(name, table);
      done(error, table);
    };
    // dynalite's getTable(name, callback) checks the status, getTable(name, false, callback) does not.
    if (typeof checkStatus === "function") read(name, keep);
    else read(name, checkStatus, keep);
  };
}

/**
 * Runs a table-changing action (CreateTable, UpdateTable, DeleteTable) with the table cache bypassed,
 * and clears it before and after.
 */
function tableChange<T>(store: DynaliteStore, run: (finished: () => void) => T): T {
  const state = tables.get(store);
  if (!state) return run(() => {});
  state.changing++;
  state.cache.clear();
  let ended = false;
  return run(() => {
    if (ended) return;
    ended = true;
    state.changing--;
    state.cache.clear();
  });
}

interface Parser {
  parse(text: string, options: { context: ParseContext }): unknown;
}
interface ParseContext {
  attrNames?: Record<string, string>;
  attrVals?: unknown;
  unusedAttrNames?: Record<string, boolean>;
  isKeyCondition?: boolean;
}

/** Most parsed conditions kept (a sandbox sends a handful of distinct ones). */
const MAX_PARSED = 256;
let conditionsMemoized = false;

/** Memoizes dynalite's condition parser for conditions without values (see the module comment). */
function memoizeConditions(): void {
  if (conditionsMemoized) return;
  conditionsMemoized = true;
  const parser = require("dynalite/db/conditionParser") as Parser;
  const parse = parser.parse.bind(parser);
  const parsed = new Map<string, { readonly tree: unknown; readonly names: readonly string[] }>();
  parser.parse = (text, options) => {
    const context = options.context;
    if (context.attrVals != null || context.isKeyCondition) return parse(text, options);
    const key = `${text}\u0000${JSON.stringify(context.attrNames ?? null)}`;
    let entry = parsed.get(key);
    if (!entry) {
      const unusedBefore = Object.keys(context.unusedAttrNames ?? {});
      const tree = parse(text, options);
      const unused = context.unusedAttrNames ?? {};
      entry = { tree: structuredClone(tree), names: unusedBefore.filter((name) => !(name in unused)) };
      if (parsed.size >= MAX_PARSED) parsed.clear();
      parsed.set(key, entry);
      return tree;
    }
    for (const name of entry.names) delete context.unusedAttrNames?.[name];
    return structuredClone(entry.tree);
  };
}

/**
 * Opens dynalite's store without its HTTP server, with the caches of the module comment.
 * @param options.path - LevelDB folder to persist in; in memory when absent. One process per folder.
 */
export function openDynaliteStore(options: { path?: string } = {}): DynaliteStore {
  const db = require("dynalite/db") as { create(options: Record<string, unknown>): DynaliteStore };
  memoizeConditions();
  const store = db.create({
    ...(options.path ? { path: options.path } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  cacheTables(store);
  return store;
}

/** Flushes and closes a store opened by {@link openDynaliteStore}, after its pending operations. */
export function closeDynaliteStore(store: DynaliteStore): Promise<void> {
  return new Promise((resolve, reject) =>
    store.lifecycleManager.gracefulClose((error) => (error ? reject(error) : resolve())),
  );
}

type DynaliteCallback = (error: (Error & { statusCode?: number; body?: unknown }) | null, data?: unknown) => void;

interface Action {
  readonly run: (store: DynaliteStore, data: unknown, callback: DynaliteCallback) => void;
  readonly types: unknown;
  readonly custom: unknown;
}
interface DynaliteValidations {
  checkTypes(data: unknown, types: unknown): unknown;
  checkValidations(data: unknown, types: unknown, custom: unknown, store: DynaliteStore): void;
}

let validations: DynaliteValidations | undefined;
const actions = new Map<string, Action>();
function actionOf(operation: string): Action {
  let action = actions.get(operation);
  if (!action) {
    const file = operation[0]?.toLowerCase() + operation.slice(1);
    const validation = require(`dynalite/validations/${file}`) as { types: unknown; custom: unknown };
    action = { run: require(`dynalite/actions/${file}`), types: validation.types, custom: validation.custom };
    actions.set(operation, action);
  }
  return action;
}

/** Actions that write a table's description (the table cache steps aside while they run). */
const TABLE_CHANGES = new Set(["CreateTable", "UpdateTable", "DeleteTable"]);

/** dynalite's answer to one request: the HTTP status and the JSON body its server would send. */
export interface DynaliteAnswer {
  readonly status: number;
  readonly body: string;
}

/**
 * Runs one request on the store as dynalite's HTTP server does after parsing it: its validations,
 * then its action.
 *
 * @param operation - `PutItem`, `Query`… (the `X-Amz-Target` operation).
 * @param request - the request's JSON body (the wire form: blobs as base64).
 * @returns the status and JSON body dynalite answers, error answers (4xx, 5xx) included.
 * @throws what dynalite throws outside an answer (a closed database).
 */
export function runDynaliteRequest(store: DynaliteStore, operation: string, request: string): Promise<DynaliteAnswer> {
  const action = actionOf(operation);
  validations ??= require("dynalite/validations") as DynaliteValidations;
  const check = validations;
  const answer = (status: number, body: unknown): DynaliteAnswer => ({ status, body: JSON.stringify(body ?? {}) });
  const run = (finished: () => void) =>
    new Promise<DynaliteAnswer>((resolve, reject) => {
      try {
        const data = check.checkTypes(JSON.parse(request), action.types);
        check.checkValidations(data, action.types, action.custom, store);
        action.run(store, data, (error, output) => {
          finished();
          if (error && error.statusCode === undefined) reject(error);
          else resolve(error ? answer(error.statusCode as number, error.body) : answer(200, output));
        });
      } catch (error) {
        finished();
        const failed = error as { statusCode?: number; body?: unknown };
        if (failed.statusCode === undefined) reject(error);
        else resolve(answer(failed.statusCode, failed.body));
      }
    });
  return TABLE_CHANGES.has(operation) ? tableChange(store, run) : run(() => {});
}
