import { access } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { ConfigurationError } from "../errors.js";
import { importModule } from "../migrate/import-module.js";
import { validateOptions, type OptionSpec } from "../engine/option-spec.js";
import type { AthanorConfig } from "./athanor-config.js";

const CANDIDATES = ["athanor.config.ts", "athanor.config.mts", "athanor.config.cts", "athanor.config.js", "athanor.config.mjs", "athanor.config.cjs"];
const SPEC: OptionSpec = {
  url: { kind: "any", describe: "a database URL string", test: (value) => typeof value === "string" },
  directUrl: { kind: "any", describe: "a database URL string", test: (value) => typeof value === "string" },
  engine: { kind: "any", describe: "engine options", test: (value) => typeof value === "object" && value !== null },
  migrations: { kind: "any", describe: "a folder path", test: (value) => typeof value === "string" },
  schema: { kind: "any", describe: "a module path", test: (value) => typeof value === "string" },
  seeds: { kind: "any", describe: "a module path", test: (value) => typeof value === "string" },
  versionTable: { kind: "any", describe: "a table name", test: (value) => typeof value === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(value) },
  lockTimeoutMillis: { kind: "integer", min: 0 },
};

/** A loaded configuration with paths resolved. */
export interface LoadedConfig {
  readonly path: string | undefined;
  readonly url: string;
  readonly config: AthanorConfig;
  readonly migrationsDirectory: string;
  /** Absolute path of the schema module, when configured. */
  readonly schemaModule: string | undefined;
  /** Absolute path of the fixtures module, when configured. */
  readonly seedsModule: string | undefined;
}

/**
 * Finds and loads `athanor.config.{ts,mts,js,mjs}` (TypeScript through tsx, no build step).
 * Without a config file, defaults apply (URL from `DATABASE_URL`, `./migrations`).
 */
export async function loadConfig(cwd: string, explicitPath?: string): Promise<LoadedConfig> {
  const path = explicitPath !== undefined ? resolve(cwd, explicitPath) : await findConfig(cwd);
  let config: AthanorConfig = {};
  if (path !== undefined) {
    let module: Record<string, unknown>;
    try {
      module = await importModule(path);
    } catch (cause) {
      if (cause instanceof ConfigurationError) throw cause;
      throw new ConfigurationError(`cannot load ${path}: ${(cause as Error).message}`, { cause });
    }
    config = validateOptions<AthanorConfig>(module.default ?? {}, SPEC, path);
  }
  const base = path === undefined ? cwd : dirname(path);
  const url = config.url ?? process.env.DATABASE_URL ?? "sqlite:./data/app.db";
  return {
    path,
    url,
    config,
    migrationsDirectory: resolve(base, config.migrations ?? "./migrations"),
    schemaModule: config.schema === undefined ? undefined : resolve(base, config.schema),
    seedsModule: config.seeds === undefined ? undefined : resolve(base, config.seeds),
  };
}

async function findConfig(cwd: string): Promise<string | undefined> {
  for (const name of CANDIDATES) {
    const candidate = resolve(cwd, name);
    try {
      await access(candidate);
      return candidate;
    } catch {
      // next candidate
    }
  }
  return undefined;
}
