import { access } from "node:fs/promises";
import { join } from "node:path";
import { createEngine } from "../engine/create-engine.js";
import type { Engine } from "../engine/engine.js";
import { createMigrator, type Migrator } from "../migrate/migrator.js";
import { loadRevisionScripts } from "../migrate/load-revision-scripts.js";
import { ConfigurationError } from "../errors.js";
import type { Schema } from "../schema/define-schema.js";
import { importModule } from "../migrate/import-module.js";
import { loadConfig, type LoadedConfig } from "./load-config.js";
import type { CliOutput } from "./cli-output.js";

/** What a command gets: its arguments, the output, and lazily the config, engine and migrator. */
export class CliContext {
  readonly positionals: readonly string[];
  readonly flags: Readonly<Record<string, string | boolean | undefined>>;
  readonly output: CliOutput;
  readonly cwd: string;
  #config: LoadedConfig | undefined;
  #engine: Engine | undefined;
  #schemaEngine: Engine | undefined;
  #migrationEngine: Engine | undefined;

  constructor(positionals: readonly string[], flags: Record<string, string | boolean | undefined>, output: CliOutput, cwd: string) {
    this.positionals = positionals;
    this.flags = flags;
    this.output = output;
    this.cwd = cwd;
  }

  async config(): Promise<LoadedConfig> {
    this.#config ??= await loadConfig(this.cwd, typeof this.flags.config === "string" ? this.flags.config : undefined);
    return this.#config;
  }

  /**
   * The language new revisions are written in: the config file's (`.ts` → TypeScript, `.mjs`
   * → JavaScript); without a config file, TypeScript when the project has a tsconfig.json.
   */
  async revisionLanguage(): Promise<"ts" | "js"> {
    const { path } = await this.config();
    if (path !== undefined) return /\.[cm]?ts$/.test(path) ? "ts" : "js";
    return (await projectUsesTypeScript(this.cwd)) ? "ts" : "js";
  }

  async engine(): Promise<Engine> {
    if (this.#engine === undefined) {
      const { url, config } = await this.config();
      this.#engine = createEngine(url, config.engine);
    }
    return this.#engine;
  }

  /**
   * The engine migrations run on: over `directUrl` when configured (bypassing a transaction
   * pooler, so `pooler` is `"none"` there), else the CLI's engine.
   */
  async migrationEngine(): Promise<Engine> {
    const { config } = await this.config();
    if (config.directUrl === undefined) return this.engine();
    this.#migrationEngine ??= createEngine(config.directUrl, { ...config.engine, postgres: { ...config.engine?.postgres, pooler: "none" } });
    return this.#migrationEngine;
  }

  /** An engine created with the configured schema, for commands that read or write its values (seed, reset). */
  async schemaEngine(): Promise<Engine> {
    if (this.#schemaEngine === undefined) {
      const { url, config } = await this.config();
      this.#schemaEngine = createEngine(url, { ...config.engine, schema: await this.schema() });
    }
    return this.#schemaEngine;
  }

  /** The declared schema: the configured module's `schema` export, else its default export. */
  async schema(): Promise<Schema> {
    const { schemaModule } = await this.config();
    return (await this.#configuredExport(schemaModule, "schema", "./src/schema.ts", isSchema, "export const schema = defineSchema({ … })")) as Schema;
  }

  /** The seed fixtures: the configured module's `fixtures` export, else its default export. */
  async fixtures(): Promise<Record<string, readonly Record<string, unknown>[]>> {
    const { seedsModule } = await this.config();
    const isFixtures = (value: unknown) => typeof value === "object" && value !== null && !isSchema(value);
    return (await this.#configuredExport(seedsModule, "fixtures", "./src/fixtures.ts", isFixtures, "export const fixtures = { users: [ … ] }")) as Record<
      string,
      readonly Record<string, unknown>[]
    >;
  }

  /** Loads a module named in the config and picks its `name` export, else its default export. */
  async #configuredExport(modulePath: string | undefined, name: "schema" | "fixtures", example: string, accept: (value: unknown) => boolean, hint: string): Promise<unknown> {
    const { path } = await this.config();
    const key = name === "schema" ? "schema" : "seeds";
    if (modulePath === undefined) {
      throw new ConfigurationError(`no ${name} configured: add \`${key}: "${example}"\` (a module exporting \`${name}\`) to ${path ?? "athanor.config.ts"}`);
    }
    let module: Record<string, unknown>;
    try {
      module = await importModule(modulePath);
    } catch (cause) {
      if (cause instanceof ConfigurationError) throw cause;
      throw new ConfigurationError(`cannot load the ${name} module ${modulePath}: ${(cause as Error).message}`, { cause });
    }
    const candidate = [module[name], module.default].find(accept);
    if (candidate === undefined) throw new ConfigurationError(`${modulePath} exports no ${name}: ${hint}`);
    return candidate;
  }

  async migrator(): Promise<Migrator> {
    const { config, migrationsDirectory } = await this.config();
    return createMigrator(await this.migrationEngine(), {
      scripts: await loadRevisionScripts(migrationsDirectory),
      directory: migrationsDirectory,
      versionTable: config.versionTable,
      lockTimeoutMillis: config.lockTimeoutMillis,
      // The revision's line is written before it runs, and finished when it is done.
      onStepStart: (step) => {
        if (this.flags.json) return;
        const arrow = step.direction === "upgrade" ? "→" : "←";
        this.output.write(`  ${arrow} ${step.revision} ${step.message ?? ""} (${step.path}) … `);
      },
      onStep: (step) => {
        if (this.flags.json) return;
        const mark = step.status === "failed" ? this.output.paint("red", "failed") : this.output.paint("green", step.status);
        this.output.line(`${mark} in ${step.durationMillis.toFixed(1)} ms`);
      },
      onLockWait: (holder) => {
        if (this.flags.json) return;
        this.output.line(this.output.paint("yellow", `waiting for the migration lock, held by ${holder ?? "another migrator"} (up to ${config.lockTimeoutMillis ?? 60_000} ms)`));
      },
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.#engine?.dispose(), this.#schemaEngine?.dispose(), this.#migrationEngine?.dispose()]);
  }
}

/** A tsconfig.json in the folder: the project writes TypeScript. */
export async function projectUsesTypeScript(cwd: string): Promise<boolean> {
  return access(join(cwd, "tsconfig.json")).then(
    () => true,
    () => false,
  );
}

function isSchema(value: unknown): value is Schema {
  const candidate = value as Partial<Schema> | undefined;
  return typeof candidate === "object" && candidate !== null && Array.isArray(candidate.definitions) && typeof candidate.table === "function";
}
