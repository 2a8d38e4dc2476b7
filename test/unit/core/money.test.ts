import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../lambdas/core/errors.ts";
import { formatMoney, parseMoney, parseMoneyNumber } from "../../../lambdas/core/money.ts";

describe("parseMoney", () => {
  it.each([
    ["19.90", "USD", 1990],
    ["19.9", "USD", 1990],
    ["60", "USD", 6000],
    ["1500", "JPY", 1500],
    ["1.5", "KWD", 1500],
    ["2.750", "KWD", 2750],
    ["-3", "USD", -300],
    [" 0.10 ", "eur", 10],
    ["19.900", "USD", 1990],
    ["90071992547409.91", "USD", 9007199254740991],
  ])("parses %s %s to %i minor units", (text, currency, minor) => {
    // Act
    const money = parseMoney(text, currency);
    // Assess
    expect(money).toEqual({ amount: minor, currency: currency.toUpperCase() });
  });

  it("fails on a decimal comma unless the vendor declares one", () => {
    expect(() => parseMoney("1,5", "USD")).toThrow(/decimal comma/);
    expect(parseMoney("1,5", "USD", { decimalSeparator: "," })).toEqual({ amount: 150, currency: "USD" });
  });

  it.each([
    ["1,000.00", "USD"],
    ["1e3", "USD"],
    ["abc", "USD"],
    ["", "USD"],
    ["12.345", "USD"],
    ["1.5", "JPY"],
    ["90071992547409.92", "USD"],
  ])("fails on %s %s with a ValidationError naming the field", (text, currency) => {
    expect(() => parseMoney(text, currency, { field: "attributes.amount" })).toThrow(ValidationError);
    try {
      parseMoney(text, currency, { field: "attributes.amount" });
    } catch (error) {
      expect((error as ValidationError).field).toBe("attributes.amount");
    }
  });

  it("fails on an unknown currency, naming the currency field", () => {
    const act = () => parseMoney("1.00", "XYZ", { field: "attributes.amount" });
    expect(act).toThrow(/unknown currency code "XYZ"/);
    try {
      act();
    } catch (error) {
      expect((error as ValidationError).field).toBe("attributes.currency");
    }
  });
});

describe("parseMoneyNumber", () => {
  it("accepts numbers whose shortest form is exact", () => {
    expect(parseMoneyNumber(19.9, "USD").amount).toBe(1990);
    expect(parseMoneyNumber(34, "EUR").amount).toBe(3400);
  });

  it("fails on numbers that cannot be represented exactly", () => {
    expect(() => parseMoneyNumber(0.1 + 0.2, "USD")).toThrow(ValidationError);
    expect(() => parseMoneyNumber(Number.NaN, "USD")).toThrow(/not a finite amount/);
  });
});

describe("formatMoney", () => {
  it("formats minor units with the currency's exponent", () => {
    expect(formatMoney({ amount: 1990, currency: "USD" })).toBe("19.90 USD");
    expect(formatMoney({ amount: 1500, currency: "JPY" })).toBe("1500 JPY");
    expect(formatMoney({ amount: -5, currency: "KWD" })).toBe("-0.005 KWD");
  });
});
