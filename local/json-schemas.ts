/**
 * JSON Schemas generated from the valibot schemas, for editors and for vendors who produce our
 * canonical format: `config/vendor-config.schema.json` (referenced by each `config/vendors/*.json`)
 * and `docs/canonical-change.schema.json`. `npm run schemas` rewrites them; a test fails when the
 * committed files are out of date.
 */
import { toJsonSchema } from "@valibot/to-json-schema";
import { ChangeInputSchema, DATA_RECORD_VALUES } from "../lambdas/core/change-input.ts";
import { VendorConfigSchema } from "../lambdas/core/vendor-config.ts";

/** The generated schemas by repository path, as the committed files should read. */
export function generatedSchemas(): Record<string, string> {
  // Custom checks (time zones, ISO 4217, cron) cannot be expressed in JSON Schema; they stay runtime-only.
  const options = {
    errorMode: "ignore",
    // Maps keyed by vendor data validate like records (see dataRecord in change.ts).
    overrideSchema: ({ valibotSchema }: { valibotSchema: object }) => {
      const values = DATA_RECORD_VALUES.get(valibotSchema);
      if (!values) return undefined;
      const { $schema: _, ...valueSchema } = toJsonSchema(values, { errorMode: "ignore" });
      return { type: "object" as const, propertyNames: { type: "string" as const }, additionalProperties: valueSchema };
    },
  } as const;
  const render = (title: string, schema: object) => `${JSON.stringify({ title, ...schema }, null, 2)}\n`;
  return {
    "config/vendor-config.schema.json": render(
      "Advanced Vendor Sync vendor configuration",
      toJsonSchema(VendorConfigSchema, options),
    ),
    "docs/canonical-change.schema.json": render(
      "Advanced Vendor Sync canonical change (one JSON Lines record)",
      toJsonSchema(ChangeInputSchema, options),
    ),
  };
}
