import { createEngine } from "../../engine/create-engine.js";
import type { Engine } from "../../engine/engine.js";
import type { EngineOptions } from "../../engine/engine-options.js";
import { validateOptions, type OptionSpec } from "../../engine/option-spec.js";
import { ConfigurationError } from "../../errors.js";
import type { RevisionScript } from "../../migrate/revision-script.js";
import type { Schema } from "../../schema/define-schema.js";
import { createSessionFactory, type SessionFactory } from "../../session/session-factory.js";
import type { RegisteredDatabase } from "./athanor-fastify-types.js";
import { HTTP_ERROR_TABLE, type HttpErrorRule } from "./http-error-table.js";

/**
 * Options of the Fastify plugin. Give the database as an `engine` (the plugin never disposes
 * it), a `sessions` factory (its engine is used; tests pass their own), or a `url` (the plugin
 * creates the engine and disposes it when the app closes).
 *
 * @example
 * ```ts
 * await app.register(athanorPlugin, {
 *   engine,                                        // or: sessions, or: url + engineOptions
 *   errors: { statusCodes: { UNIQUE_VIOLATION: 400 } },
 *   health: { migrations: "./migrations" },         // GET /health, GET /health/ready
 *   reset: true,                                   // POST /admin/reset-database (development only)
 * });
 * ```
 */
export interface AthanorPluginOptions<DB = RegisteredDatabase> {
  /** The application's engine. Not disposed by the plugin. */
  readonly engine?: Engine<DB>;
  /** The session factory request sessions come from; its engine is the plugin's engine. */
  readonly sessions?: SessionFactory<DB>;
  /** A database URL: the plugin creates the engine (with `engineOptions`) and disposes it in `onClose`. */
  readonly url?: string;
  /** Options of the engine made from `url`. */
  readonly engineOptions?: EngineOptions;
  /** The errors → HTTP mapping (see `HTTP_ERROR_TABLE`); `false` installs no error handler. */
  readonly errors?: HttpErrorOptions | false;
  /** `GET /health` (liveness) and `GET /health/ready` (readiness). Off unless given. */
  readonly health?: boolean | HealthRoutesOptions;
  /** `POST /admin/reset-database`, answering only in development. Not registered unless given. */
  readonly reset?: boolean | ResetRouteOptions;
  /** How long `app.close()` waits for request sessions still open before rolling them back. Default 10 000. */
  readonly closeTimeoutMillis?: number;
}

/** Options of the errors → HTTP mapping. */
export interface HttpErrorOptions {
  /** Status codes by error code, over the table's: `{ UNIQUE_VIOLATION: 400 }` answers duplicates as seed 002 does. */
  readonly statusCodes?: Readonly<Record<string, number>>;
  /** The `Retry-After` of 503 answers, in seconds. Default 1. */
  readonly retryAfterSeconds?: number;
}

/** Options of the health routes. */
export interface HealthRoutesOptions {
  /** Liveness route. Default `/health`. */
  readonly path?: string;
  /** Readiness route. Default `/health/ready`. */
  readonly readyPath?: string;
  /** The migrations folder, or its revision scripts: readiness then requires the database at their head. */
  readonly migrations?: string | readonly RevisionScript[];
  /** The version table of those migrations. Default `athanor_revisions`. */
  readonly versionTable?: string;
  /** Callers that may wait for a connection before readiness reports the pool saturated. Default 0. */
  readonly maxPoolWaiting?: number;
}

/** Options of the reset route. */
export interface ResetRouteOptions {
  /** The schema whose tables are dropped and recreated. Default the engine's (`createEngine(url, { schema })`). */
  readonly schema?: Schema;
  /** Default `/admin/reset-database`. */
  readonly path?: string;
  /** The environment variable that must equal `development`. Default `ENVIRONMENT`. */
  readonly environmentVariable?: string;
  /** How long the reset waits for other requests' sessions to end (refusing new ones meanwhile) before giving up with 409. Default 5 000. */
  readonly drainTimeoutMillis?: number;
  /**
   * Quiesces work outside requests before a reset (a scheduler, a queue consumer): it should
   * stop it from opening sessions and resolve when its running ones have ended. The route waits
   * for request sessions itself. Called only when the reset is allowed (development), before
   * the drain.
   *
   * @example
   * ```ts
   * reset: { beforeReset: () => scheduler.pause(), afterReset: () => scheduler.resume() }
   * ```
   */
  readonly beforeReset?: () => unknown;
  /** Resumes what `beforeReset` paused: called after the reset, whether it ran, was refused as busy or failed, whenever `beforeReset` was called. */
  readonly afterReset?: () => unknown;
}

/** The plugin's options after validation, with the engine in hand. */
export interface ResolvedPluginOptions {
  readonly engine: Engine<any>;
  readonly sessions: SessionFactory<any>;
  /** True when the plugin made the engine (from `url`) and so disposes it. */
  readonly ownsEngine: boolean;
  readonly errors: { readonly table: Readonly<Record<string, HttpErrorRule>>; readonly retryAfterSeconds: number } | false;
  readonly health: Required<Omit<HealthRoutesOptions, "migrations" | "versionTable">> & Pick<HealthRoutesOptions, "migrations" | "versionTable">;
  readonly healthRoutes: boolean;
  readonly reset: (Required<Omit<ResetRouteOptions, "schema" | "beforeReset" | "afterReset">> & Pick<ResetRouteOptions, "beforeReset" | "afterReset"> & { readonly schema: Schema }) | undefined;
  readonly closeTimeoutMillis: number;
}

const MILLIS = { kind: "integer", min: 0, max: 2_147_483_647 } as const;
const PATH = { kind: "any", describe: "a path starting with /", test: (value: unknown) => typeof value === "string" && value.startsWith("/") } as const;

const SPEC: OptionSpec = {
  engine: { kind: "any", describe: "an engine made with createEngine()", test: (value) => typeof value === "object" && value !== null && "db" in value && "dispose" in value },
  sessions: { kind: "any", describe: "a session factory made with createSessionFactory()", test: (value) => typeof value === "object" && value !== null && "open" in value && "engine" in value },
  url: { kind: "any", describe: "a database URL", test: (value) => typeof value === "string" },
  engineOptions: { kind: "any", describe: "engine options", test: (value) => typeof value === "object" && value !== null },
  errors: { kind: "any", describe: "false or { statusCodes, retryAfterSeconds }", test: (value) => value === false || (typeof value === "object" && value !== null) },
  health: { kind: "any", describe: "true, false or { path, readyPath, migrations, versionTable, maxPoolWaiting }", test: (value) => typeof value === "boolean" || (typeof value === "object" && value !== null) },
  reset: { kind: "any", describe: "true, false or { schema, path, environmentVariable, drainTimeoutMillis, beforeReset, afterReset }", test: (value) => typeof value === "boolean" || (typeof value === "object" && value !== null) },
  closeTimeoutMillis: MILLIS,
  // Fastify's own register() options arrive in the same object.
  prefix: { kind: "any", describe: "a route prefix", test: () => true },
  logLevel: { kind: "any", describe: "a log level", test: () => true },
  logSerializers: { kind: "any", describe: "log serializers", test: () => true },
};

const ERRORS_SPEC: OptionSpec = {
  statusCodes: { kind: "any", describe: "an object of error code → status code", test: (value) => typeof value === "object" && value !== null },
  retryAfterSeconds: { kind: "integer", min: 0, max: 86_400 },
};

const HEALTH_SPEC: OptionSpec = {
  path: PATH,
  readyPath: PATH,
  migrations: { kind: "any", describe: "a folder or an array of revision scripts", test: (value) => typeof value === "string" || Array.isArray(value) },
  versionTable: { kind: "any", describe: "a table name", test: (value) => typeof value === "string" && value.length > 0 },
  maxPoolWaiting: { kind: "integer", min: 0, max: 1_000_000 },
};

const RESET_SPEC: OptionSpec = {
  schema: { kind: "any", describe: "a schema made with defineSchema()", test: (value) => typeof value === "object" && value !== null },
  path: PATH,
  environmentVariable: { kind: "any", describe: "an environment variable's name", test: (value) => typeof value === "string" && value.length > 0 },
  drainTimeoutMillis: MILLIS,
  beforeReset: { kind: "function" },
  afterReset: { kind: "function" },
};

/**
 * Validates the plugin's options (unknown ones rejected by name) and finds or makes the
 * engine and session factory. The engine is made last, once everything else is valid.
 */
export function resolvePluginOptions(options: AthanorPluginOptions<any> | undefined): ResolvedPluginOptions {
  const given = validateOptions<AthanorPluginOptions<any>>(options, SPEC, "athanor plugin options");
  const sources = (["engine", "sessions", "url"] as const).filter((key) => given[key] !== undefined);
  if (sources.length === 0) throw new ConfigurationError("athanor plugin options: give the database as engine, sessions or url");
  if (given.url !== undefined && sources.length > 1) throw new ConfigurationError("athanor plugin options: url creates the plugin's own engine; give url alone, or engine/sessions instead");
  if (given.engineOptions !== undefined && given.url === undefined) throw new ConfigurationError("athanor plugin options: engineOptions apply only to an engine made from url");
  if (given.engine !== undefined && given.sessions !== undefined && given.sessions.engine !== given.engine) {
    throw new ConfigurationError("athanor plugin options: sessions was made for another engine than engine (give one of them, or a factory of that engine)");
  }
  const errors = given.errors === false ? false : resolveErrors(given.errors);
  const health = validateOptions<HealthRoutesOptions>(given.health === true || given.health === false ? undefined : given.health, HEALTH_SPEC, "athanor plugin options.health");
  const reset = given.reset === undefined || given.reset === false ? undefined : validateOptions<ResetRouteOptions>(given.reset === true ? undefined : given.reset, RESET_SPEC, "athanor plugin options.reset");

  const engine: Engine<any> = given.engine ?? given.sessions?.engine ?? createEngine(given.url!, given.engineOptions);
  const schema = reset?.schema ?? engine.options.schema;
  if (reset !== undefined && schema === undefined) {
    throw new ConfigurationError("athanor plugin options.reset: no schema to reset: give reset.schema, or create the engine with createEngine(url, { schema })");
  }
  return {
    engine,
    sessions: given.sessions ?? createSessionFactory(engine),
    ownsEngine: given.url !== undefined,
    errors,
    healthRoutes: given.health !== undefined && given.health !== false,
    health: {
      path: health.path ?? "/health",
      readyPath: health.readyPath ?? "/health/ready",
      migrations: health.migrations,
      versionTable: health.versionTable,
      maxPoolWaiting: health.maxPoolWaiting ?? 0,
    },
    reset:
      reset === undefined
        ? undefined
        : {
            schema: schema!,
            path: reset.path ?? "/admin/reset-database",
            environmentVariable: reset.environmentVariable ?? "ENVIRONMENT",
            drainTimeoutMillis: reset.drainTimeoutMillis ?? 5_000,
            beforeReset: reset.beforeReset,
            afterReset: reset.afterReset,
          },
    closeTimeoutMillis: given.closeTimeoutMillis ?? 10_000,
  };
}

function resolveErrors(options: HttpErrorOptions | undefined): { table: Readonly<Record<string, HttpErrorRule>>; retryAfterSeconds: number } {
  const given = validateOptions<HttpErrorOptions>(options, ERRORS_SPEC, "athanor plugin options.errors");
  const table: Record<string, HttpErrorRule> = { ...HTTP_ERROR_TABLE };
  for (const [code, statusCode] of Object.entries(given.statusCodes ?? {})) {
    const rule = table[code];
    if (rule === undefined) {
      throw new ConfigurationError(`athanor plugin options.errors.statusCodes: unknown error code "${code}" (known: ${Object.keys(HTTP_ERROR_TABLE).join(", ")})`);
    }
    if (!Number.isInteger(statusCode) || statusCode < 400 || statusCode > 599) {
      throw new ConfigurationError(`athanor plugin options.errors.statusCodes.${code} must be an error status code from 400 to 599, got ${String(statusCode)}`);
    }
    table[code] = { ...rule, statusCode };
  }
  return { table: Object.freeze(table), retryAfterSeconds: given.retryAfterSeconds ?? 1 };
}
