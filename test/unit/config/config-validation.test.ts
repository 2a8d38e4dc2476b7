import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadVendorConfigs } from "../../../config/load-vendors.ts";
import { ConfigError } from "../../../lambdas/core/errors.ts";
import { loadStageConfig } from "../../../lib/config/stage-config.ts";
import { generatedSchemas } from "../../../local/json-schemas.ts";
import { tempDir } from "../../support/cli.ts";
import { repoPath } from "../../support/files.ts";

function vendorDir(files: Record<string, unknown>): string {
  const dir = join(tempDir("vendors-"), "vendors");
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === "string" ? content : JSON.stringify(content));
  }
  return dir;
}

const valid = { id: "acme", name: "Acme", entityTypes: ["price"], defaultCurrency: "EUR" };

function configError(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("vendor configuration validation", () => {
  it("loads the bundled vendors with defaults applied", () => {
    const vendors = loadVendorConfigs();
    expect([...vendors.keys()].sort()).toEqual(["canonical", "magento-luma", "shopify-demo"]);
    expect(vendors.get("magento-luma")).toMatchObject({
      maxRetries: 3,
      rules: { negativeStock: "clamp" },
      decimalSeparator: ".",
    });
  });

  it.each([
    [{ ...valid, defaultCurrency: "EURO" }, "defaultCurrency", /unknown ISO 4217 currency "EURO"/],
    [{ ...valid, timeZone: "Mars/Olympus" }, "timeZone", /unknown IANA time zone/],
    [{ ...valid, conflicts: { price: "newest-wins" } }, "conflicts.price", /./],
    [{ ...valid, maxRetries: 8 }, "maxRetries", /./],
    [{ ...valid, colour: "red" }, "colour", /./],
    [{ ...valid, schedule: { expression: "every hour" } }, "schedule.expression", /./],
  ])("fails on %j, naming the file and the field", (config, field, message) => {
    const error = configError(() => loadVendorConfigs(vendorDir({ "acme.json": config })));
    expect(error.file).toMatch(/acme\.json$/);
    expect(error.issues.map((i) => i.field)).toContain(field);
    expect(error.message).toMatch(message);
  });

  it("fails on invalid JSON, naming the file", () => {
    const error = configError(() => loadVendorConfigs(vendorDir({ "acme.json": "{ id: acme" })));
    expect(error.message).toMatch(/acme\.json: \(file\): not valid JSON/);
  });

  it("fails when the id does not match the file name", () => {
    const error = configError(() => loadVendorConfigs(vendorDir({ "other.json": valid })));
    expect(error.message).toMatch(/other\.json: id: is "acme" but the file is named other\.json/);
  });
});

describe("stage configuration validation", () => {
  it("loads the default stage", () => {
    expect(loadStageConfig("dev")).toMatchObject({ stage: "dev", logRetentionDays: 30, retainData: true });
  });

  it("fails on a missing stage file, naming it", () => {
    expect(() => loadStageConfig("nope")).toThrow(/config\/stages\/nope\.json/);
  });
});

describe("generated JSON Schemas", () => {
  it("match the valibot schemas (run `npm run schemas` after changing them)", () => {
    for (const [path, text] of Object.entries(generatedSchemas())) {
      expect(readFileSync(repoPath(path), "utf8"), path).toBe(text);
    }
  });
});
