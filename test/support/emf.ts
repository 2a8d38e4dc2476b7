import { vi } from "vitest";

/** One Embedded Metric Format document as Powertools writes it to stdout. */
export interface EmfDocument {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: readonly { readonly Name: string; readonly Unit: string }[];
    }[];
  };
  readonly [key: string]: unknown;
}

/**
 * Runs `act` and returns the EMF documents it wrote to stdout (what CloudWatch Logs would turn into
 * metrics). Only stdout is captured; nothing of Powertools is mocked.
 */
export async function captureEmf(act: () => unknown): Promise<EmfDocument[]> {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split("\n"));
    return true;
  });
  try {
    await act();
  } finally {
    spy.mockRestore();
  }
  return lines
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as EmfDocument)
    .filter((doc) => doc._aws !== undefined);
}

/** The metric values of a document, by name. */
export function valuesOf(doc: EmfDocument): Record<string, unknown> {
  const names = doc._aws.CloudWatchMetrics.flatMap((set) => set.Metrics.map((m) => m.Name));
  return Object.fromEntries(names.map((name) => [name, doc[name]]));
}
