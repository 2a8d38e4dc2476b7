/**
 * Request headers as an HTTP adapter hands them over: API Gateway's `headers` map (one value per
 * name) or its `multiValueHeaders` map (a list per name). Names may arrive in any case (HTTP/2
 * lower-cases them), so they are only ever read through {@link getHeader}.
 */
export type WebhookHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * Reads a header by name, ignoring case (RFC 9110 §5.1: field names are case-insensitive).
 *
 * Repeated fields (several names that differ only in case, or a multi-value list) are combined with
 * `", "` as RFC 9110 §5.3 prescribes, so a duplicated signature header can never be mistaken for a
 * single valid one.
 *
 * @returns the value, or `undefined` when the header is absent.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.3
 */
export function getHeader(headers: WebhookHeaders, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    if (typeof value === "string") values.push(value);
    else values.push(...value);
  }
  return values.length === 0 ? undefined : values.join(", ");
}
