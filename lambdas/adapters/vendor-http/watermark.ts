import type { WatermarkFormat } from "../../core/pull/pull-config.ts";

const formats = new Map<string, Intl.DateTimeFormat>();

function parts(ms: number, timeZone: string): Record<string, string> {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      timeZoneName: "longOffset",
    });
    formats.set(timeZone, format);
  }
  return Object.fromEntries(format.formatToParts(ms).map((part) => [part.type, part.value]));
}

/**
 * Writes an instant the way a vendor's incremental filter expects it (see {@link WatermarkFormat}).
 * Sub-second parts are dropped (floored), so the filter never starts after the instant.
 *
 * @param ms - UTC epoch ms.
 * @param timeZone - IANA zone for the local formats.
 * @returns e.g. `2025-03-01T00:00:00-05:00` for `iso-8601-offset` in America/New_York.
 */
export function formatWatermark(ms: number, format: WatermarkFormat, timeZone: string): string {
  const seconds = Math.floor(ms / 1000);
  switch (format) {
    case "epoch-seconds":
      return String(seconds);
    case "epoch-millis":
      return String(Math.floor(ms));
    case "iso-8601":
      return new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
    default: {
      const p = parts(seconds * 1000, timeZone);
      const date = `${p.year}-${p.month}-${p.day}`;
      const time = `${p.hour}:${p.minute}:${p.second}`;
      if (format === "date") return date;
      if (format === "datetime-space") return `${date} ${time}`;
      if (format === "iso-8601-local") return `${date}T${time}`;
      // longOffset reads "GMT-05:00", or plain "GMT" for a zero offset.
      const offset = (p.timeZoneName ?? "GMT").replace(/^GMT/, "") || "+00:00";
      return `${date}T${time}${offset}`;
    }
  }
}
