import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadVendorConfigs, readVendorConfigs } from "../../../config/load-vendors.ts";
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
    [{ ...valid, colour: "red" }, "", /unknown key colour/],
    [{ ...valid, schedule: { expression: "every hour" } }, "schedule.expression", /./],
  ])("fails on %j, naming the file and the field", (config, field, message) => {
    const error = configError(() => loadVendorConfigs(vendorDir({ "acme.json": config })));
    expect(error.file).toMatch(/acme\.json$/);
    expect(error.issues.map((i) => i.field)).toContain(field);
    expect(error.message).toMatch(message);
  });

  it("fails on invalid JSON, naming the file", () => {
    const error = configError(() => loadVendorConfigs(vendorDir({ "acme.json": "{ id: acme" })));
    expect(error.message).toMatch(/acme\.json: not valid JSON/);
  });

  it("fails when the id does not match the file name", () => {
    const error = configError(() => loadVendorConfigs(vendorDir({ "other.json": valid })));
    expect(error.message).toMatch(/other\.json: id: is "acme" but the file is named other\.json/);
  });
});

describe("vendor configuration problems in plain words", () => {
  const messages = (config: unknown) =>
    configError(() => loadVendorConfigs(vendorDir({ "acme.json": config }))).message.split("\n");
  const webhook = (channel: Record<string, unknown>) => ({
    ...valid,
    channels: { webhook: { secretName: "s", ...channel } },
  });

  it.each([
    [
      webhook({ scheme: "bigcommerce", signatureHedaer: "X-Auth" }),
      "channels.webhook: unknown key signatureHedaer (did you mean signatureHeader?)",
    ],
    [{ id: "acme", name: "Acme", entityTypes: ["price"] }, "missing required field defaultCurrency"],
    [
      webhook({ scheme: "shopfy" }),
      'channels.webhook.scheme: "shopfy" is not one of shopify, woocommerce, stripe, standard-webhooks, bigcommerce (did you mean shopify?)',
    ],
    [
      { ...valid, entityTypes: ["prize"] },
      'entityTypes.0: "prize" is not one of product, price, inventory, order (did you mean price?)',
    ],
    [{ ...valid, maxRetries: "3" }, 'maxRetries: must be a number, not text "3"'],
    [{ ...valid, maxConcurrency: 0 }, "maxConcurrency: must be at least 1, not 0"],
    [{ ...valid, entityTypes: [] }, "entityTypes: needs at least 1 entry"],
    [
      webhook({ scheme: "stripe", signatureHeader: "X Sig" }),
      "channels.webhook.signatureHeader: must be an HTTP header name (letters, digits and dashes)",
    ],
  ])("says what is wrong with %j as %s", (config, message) => {
    expect(messages(config).map((line) => line.replace(/^.*acme\.json: /, ""))).toContain(message);
  });
});

describe("vendor configurations that can never work are refused at load", () => {
  const webhook = (channel: Record<string, unknown>, rest: Record<string, unknown> = {}) => ({
    ...valid,
    ...rest,
    channels: { webhook: { secretName: "s", ...channel } },
  });
  const problems = (config: unknown) =>
    configError(() => loadVendorConfigs(vendorDir({ "acme.json": config }))).issues.map(
      (i) => `${i.field}: ${i.message}`,
    );

  it("a BigCommerce scheme without the header it reads", () => {
    expect(problems(webhook({ scheme: "bigcommerce" }))).toContainEqual(
      expect.stringMatching(/^channels\.webhook\.signatureHeader: scheme bigcommerce has no standard header name/),
    );
  });

  it("BigCommerce's thin notifications without a pull channel to fetch them", () => {
    expect(problems(webhook({ scheme: "bigcommerce", signatureHeader: "X-Auth" }))).toEqual([
      expect.stringMatching(
        /^channels\.pull: payloadFormat bigcommerce sends thin notifications .* add channels\.pull with resources/,
      ),
    ]);
  });

  it("a Shopify-signed channel told to expect canonical payloads", () => {
    expect(problems(webhook({ scheme: "shopify", payloadFormat: "canonical" }))).toEqual([
      "channels.webhook.payloadFormat: scheme shopify signs shopify's own deliveries, whose payloads are payloadFormat shopify, not canonical (leave payloadFormat out to get shopify)",
    ]);
  });

  it("a platform's payloads under another scheme", () => {
    expect(problems(webhook({ scheme: "stripe", payloadFormat: "woocommerce" }))).toEqual([
      "channels.webhook.scheme: payloadFormat woocommerce is sent by woocommerce itself, which signs with scheme woocommerce, not stripe",
    ]);
  });

  it("a header override for a header the scheme does not have", () => {
    expect(problems(webhook({ scheme: "shopify", timestampHeader: "X-Time" }))).toEqual([
      "channels.webhook.timestampHeader: scheme shopify has no signed timestamp: remove timestampHeader",
    ]);
  });

  it("defaults a platform scheme's payload format to the platform's own", async () => {
    const vendors = loadVendorConfigs(vendorDir({ "acme.json": webhook({ scheme: "woocommerce" }) }));
    expect(vendors.get("acme")?.channels.webhook?.payloadFormat).toBe("woocommerce");
  });

  it("names every invalid file at once (synth refuses them all)", () => {
    const error = configError(() =>
      loadVendorConfigs(
        vendorDir({ "acme.json": { ...valid, colour: 1 }, "beta.json": { ...valid, id: "beta", maxRetries: -1 } }),
      ),
    );
    expect(error.message.split("\n")).toEqual([
      expect.stringMatching(/acme\.json: unknown key colour/),
      expect.stringMatching(/beta\.json: maxRetries: must be at least 0, not -1/),
    ]);
  });

  it("reads the valid files past an invalid one (the CLI's way)", () => {
    const reading = readVendorConfigs(
      vendorDir({ "acme.json": { ...valid, colour: 1 }, "beta.json": { ...valid, id: "beta" } }),
    );
    expect([...reading.vendors.keys()]).toEqual(["beta"]);
    expect([...reading.invalid.keys()]).toEqual(["acme"]);
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
