import { access } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigurationError } from "../errors.js";
import { validateOptions, type OptionSpec } from "../engine/option-spec.js";
import type { AthanorConfig } from "./athanor-config.js";

const CANDIDATES = ["athanor.config.ts", "athanor.config.mts", "athanor.config.js", "athanor.config.mjs"];
const SPEC: OptionSpec = {
  url: { kind: "any", describe: "a database URL string", test: (value) => typeof value === "string" },
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
    let module: { default?: unknown };
    try {
      if (/\.m?ts$/.test(path)) {
        const { tsImport } = await import("tsx/esm/api");
        module = (await tsImport(pathToFileURL(path).href, import.meta.url)) as { default?: unknown };
      } else {
        module = (await import(pathToFileURL(path).href)) as { default?: unknown };
      }
    } catch (cause) {
      throw new ConfigurationError(`cannot load ${path}: ${(cause as Error).message}`, { cause });
    }
    const exported = (module.default as { default?: unknown } | undefined)?.default ?? module.default;
    config = validateOptions<AthanorConfig>(exported ?? {}, SPEC, path);
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

/** Imports a module, TypeScript included (through tsx). */
export async function importModule(path: string): Promise<Record<string, unknown>> {
  if (/\.m?ts$/.test(path)) {
    const { tsImport } = await import("tsx/esm/api");
    return (await tsImport(pathToFileURL(path).href, import.meta.url)) as Record<string, unknown>;
  }
  return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
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
