/**
 * ISO 4217 active currency codes and their minor-unit exponents.
 *
 * Codes not listed in {@link EXPONENT_EXCEPTIONS} use 2 decimal places. Funds codes and precious
 * metals (XAU, XAG, …) that have no minor unit are deliberately absent: a price in them is a
 * validation error rather than a guess.
 *
 * @see https://www.six-group.com/en/products-services/financial-information/data-standards.html (ISO 4217 list one)
 */
const TWO_DECIMAL_CODES =
  "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UZS VED VES WST XCD XCG YER ZAR ZMW ZWG";

/** Currencies whose exponent is not 2. */
const EXPONENT_EXCEPTIONS: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

const EXPONENTS: ReadonlyMap<string, number> = new Map([
  ...TWO_DECIMAL_CODES.split(" ").map((code) => [code, 2] as const),
  ...Object.entries(EXPONENT_EXCEPTIONS),
]);

/**
 * @param code - an ISO 4217 alphabetic code, upper case (`"USD"`).
 * @returns the number of minor-unit digits (JPY 0, USD 2, KWD 3), or `undefined` for an unknown code.
 */
export function currencyExponent(code: string): number | undefined {
  return EXPONENTS.get(code);
}

/** @returns whether `code` is an active ISO 4217 code this system can hold prices in. */
export function isCurrencyCode(code: string): boolean {
  return EXPONENTS.has(code);
}
