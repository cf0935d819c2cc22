import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import tsconfig from "./tsconfig.json" with { type: "json" };

// `athanor` and its subpaths resolve to the sources, as tsconfig.json's "paths" map them
// for the typecheck: examples under examples/docs import the package as a user does.
const alias = Object.entries(tsconfig.compilerOptions.paths).map(([name, [target]]) => ({
  find: new RegExp(`^${name.replace("/", "\\/")}$`),
  replacement: fileURLToPath(new URL(target!, import.meta.url)),
}));

// The as-installed test packs the tarball and installs fresh projects (minutes): it runs on its
// own, `npm run test:package`, which `.ci/run` calls after `npm test`.
const packageTest = "test/package-consumers.test.ts";
const runPackageTest = process.env.ATHANOR_PACKAGE_TEST === "1";

export default defineConfig({
  resolve: { alias },
  test: {
    include: runPackageTest ? [packageTest] : ["test/**/*.test.ts", "examples/**/*.test.ts"],
    exclude: runPackageTest ? [] : [packageTest, "**/node_modules/**"],
    globalSetup: ["test/support/global-setup.ts"],
    pool: "forks",
    // Two test files at a time: most of the suite waits on a database, a child process or a
    // timer, so two overlap well even on two cores (vitest would run one there), and every file
    // works in databases of its own. More would crowd the shared server's 100 connections.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    typecheck: { enabled: false },
  },
});
