#!/usr/bin/env node
// Launcher for `npx vendor-sync`: registers tsx so the TypeScript CLI runs without a build step.
import { register } from "tsx/esm/api";

register();
await import("./vendor-sync.ts");
