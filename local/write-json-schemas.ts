/** `npm run schemas`: rewrites the generated JSON Schemas (see json-schemas.ts). */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { generatedSchemas } from "./json-schemas.ts";

for (const [path, text] of Object.entries(generatedSchemas())) {
  writeFileSync(fileURLToPath(new URL(`../${path}`, import.meta.url)), text);
  process.stdout.write(`wrote ${path}\n`);
}
