import type { FieldDiff } from "../conflict-rules.ts";
import { contentHash } from "../content-hash.ts";
import type { Attributes } from "../model.ts";

/** @returns the fields whose values differ between two attribute sets (absent and `null` are equal), sorted by name. */
export function diffAttributes(current: Attributes, next: Attributes): FieldDiff[] {
  const fields = new Set([...Object.keys(current), ...Object.keys(next)]);
  const out: FieldDiff[] = [];
  for (const field of [...fields].sort()) {
    const a = current[field] ?? undefined;
    const b = next[field] ?? undefined;
    if (contentHash(a ?? null) !== contentHash(b ?? null)) out.push({ field, current: a, incoming: b });
  }
  return out;
}
