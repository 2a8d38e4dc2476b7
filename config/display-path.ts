import { isAbsolute, relative } from "node:path";

/** A path as a user reads it: relative to the working directory when inside it, else absolute. */
export function displayPath(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown && !shown.startsWith("..") && !isAbsolute(shown) ? shown : path;
}
