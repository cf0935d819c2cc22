#!/usr/bin/env node
// The `athanor` command: a thin shell over the programmatic commands (dist/cli/main.js).
import { runCli } from "../dist/cli/main.js";

process.exitCode = await runCli(process.argv.slice(2));
