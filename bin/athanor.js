#!/usr/bin/env node
// The `athanor` command: a thin shell over the programmatic commands (dist/cli/main.js).
// In a checkout of Athanor's own repository (src/ beside bin/; the published package has no
// src/) it runs the sources through tsx instead, so the examples' CLI needs no build step and
// never runs a stale build.
import { existsSync } from "node:fs";

const source = new URL("../src/cli/main.ts", import.meta.url);
let main;
if (existsSync(source)) {
  const { register } = await import("tsx/esm/api");
  register();
  main = await import(source.href);
} else {
  main = await import("../dist/cli/main.js");
}

process.exitCode = await main.runCli(process.argv.slice(2));
