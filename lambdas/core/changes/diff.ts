import type { FieldDiff } from "../conflict-rules.ts";
import { canonicalJson } from "../content-hash.ts";
import type { Attributes } from "../model.ts";

/**
 * @returns the fields whose values differ between two attribute sets (absent and `null` are equal),
 * sorted by name. Values compare by their canonical JSON (what the content hash hashes, without hashing it).
 */
export function diffAttributes(current: Attributes, next: Attributes): FieldDiff[] {
  const fields = new Set([...Object.keys(current), ...Object.keys(next)]);
  const out: FieldDiff[] = [];
  for (const field of [...fields].sort()) {
    const a = current[field] ?? undefined;
    const b = next[field] ?? undefined;
    if (canonicalJson(a ?? null) !== canonicalJson(b ?? null)) out.push({ field, current: a, incoming: b });
  }
  return out;
}
