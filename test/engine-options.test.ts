import { expect, it } from "vitest";
import { ConfigurationError } from "../src/errors.js";
import type { EngineOptions } from "../src/engine/engine-options.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { engineFactory } from "./support/engines.js";

function configurationError(fn: () => unknown): ConfigurationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).code).toBe("CONFIGURATION_ERROR");
    return error as ConfigurationError;
  }
  throw new Error("expected a ConfigurationError, but nothing was thrown");
}

/** Every plain object and array reachable from `value`, with its path. */
function plainObjects(value: unknown, path = "options", seen = new Set<unknown>()): Array<[string, object]> {
  if (typeof value !== "object" || value === null || seen.has(value)) return [];
  const prototype = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && prototype !== Object.prototype && prototype !== null) return [];
  seen.add(value);
  const found: Array<[string, object]> = [[path, value]];
  for (const [key, item] of Object.entries(value)) found.push(...plainObjects(item, `${path}.${key}`, seen));
  return found;
}

describeEachDialect("engine options", (ctx) => {
  const open = engineFactory();
  const make = (options: unknown) => () => open(ctx.url(), options as EngineOptions);

  it("rejects a misspelt nested option by its full name and suggests the right one", () => {
    const error = configurationError(make({ pool: { maxOverlow: 3 } }));
    expect(error.message).toContain("options.pool.maxOverlow");
    expect(error.message).toContain('did you mean "maxOverflow"');
  });

  it("rejects an unknown top-level option, listing the known ones", () => {
    const error = configurationError(make({ poolSize: 5 }));
    expect(error.message).toContain("options.poolSize");
    expect(error.message).toContain("healthCheckTimeoutMillis");
  });

  it("suggests the unit-suffixed name when the unit is left out", () => {
    expect(configurationError(make({ pool: { acquireTimeout: 5 } })).message).toContain('did you mean "acquireTimeoutMillis"');
    expect(configurationError(make({ sqlite: { busyTimeout: 5 } })).message).toContain('did you mean "busyTimeoutMillis"');
    expect(configurationError(make({ postgres: { statementTimeout: 5 } })).message).toContain('did you mean "statementTimeoutMillis"');
  });

  it("rejects names inherited from Object.prototype and a JSON __proto__ key", () => {
    for (const name of ["toString", "constructor", "hasOwnProperty", "valueOf"]) {
      expect(configurationError(make({ [name]: 1 })).message).toContain(`options.${name}`);
      expect(configurationError(make({ pool: { [name]: 1 } })).message).toContain(`options.pool.${name}`);
    }
    const fromJson = JSON.parse('{ "pool": { "__proto__": { "size": 1 } } }');
    expect(configurationError(make(fromJson)).message).toContain("options.pool.__proto__");
  });

  it("names invalid values: negative, fractional, wrong type, out of range, unknown choice", () => {
    const cases: Array<[unknown, string]> = [
      [{ pool: { size: -1 } }, "options.pool.size"],
      [{ pool: { size: 0 } }, "options.pool.size"],
      [{ pool: { maxOverflow: 1.5 } }, "options.pool.maxOverflow"],
      [{ pool: { acquireTimeoutMillis: "30s" } }, "options.pool.acquireTimeoutMillis"],
      [{ pool: { recycleMillis: Number.NaN } }, "options.pool.recycleMillis"],
      [{ pool: { prePing: "yes" } }, "options.pool.prePing"],
      [{ healthCheckTimeoutMillis: -5 }, "options.healthCheckTimeoutMillis"],
      [{ statementCacheSize: Number.POSITIVE_INFINITY }, "options.statementCacheSize"],
      [{ echo: 1 }, "options.echo"],
      [{ log: "console" }, "options.log"],
      [{ sqlite: { journalMode: "WAL" } }, "options.sqlite.journalMode"],
      [{ sqlite: { busyTimeoutMillis: -1 } }, "options.sqlite.busyTimeoutMillis"],
      [{ postgres: { lockTimeoutMillis: -1 } }, "options.postgres.lockTimeoutMillis"],
      [{ pool: { prePingTimeoutMillis: 0 } }, "options.pool.prePingTimeoutMillis"],
      [{ postgres: { queryTimeoutMillis: -1 } }, "options.postgres.queryTimeoutMillis"],
      [{ postgres: { keepAliveIdleMillis: "30s" } }, "options.postgres.keepAliveIdleMillis"],
      [{ postgres: { ssl: "require" } }, "options.postgres.ssl"],
      [{ pool: null }, "options.pool"],
      [{ sqlite: [] }, "options.sqlite"],
    ];
    for (const [options, name] of cases) {
      const error = configurationError(make(options));
      expect(error.message, JSON.stringify(options)).toContain(name);
    }
    expect(configurationError(make(5)).message).toContain("options must be an object");
  });

  it("rejects durations a Node timer cannot hold (above 2^31-1 ms they would fire at once)", () => {
    for (const options of [
      { healthCheckTimeoutMillis: 2 ** 31 },
      { pool: { acquireTimeoutMillis: 2 ** 31 } },
      { pool: { leakDetectionMillis: 2 ** 31 } },
      { sqlite: { busyTimeoutMillis: 2 ** 31 } },
      { postgres: { statementTimeoutMillis: 2 ** 31 } },
    ]) {
      expect(configurationError(make(options)).message, JSON.stringify(options)).toContain("2147483647");
    }
    expect(() => open(ctx.url(), { healthCheckTimeoutMillis: 2 ** 31 - 1 })).not.toThrow();
  });

  it("fills in defaults and keeps the given values", () => {
    const engine = open(ctx.url(), { pool: { size: 3, acquireTimeoutMillis: 1_234 }, sqlite: { busyTimeoutMillis: 77 } });
    expect(engine.options.pool).toMatchObject({ size: 3, acquireTimeoutMillis: 1_234, maxOverflow: 10, prePing: false, recycleMillis: 0 });
    expect(engine.options.sqlite).toMatchObject({ busyTimeoutMillis: 77, journalMode: "wal", synchronous: "normal" });
    expect(engine.options).toMatchObject({ prepareStatements: true, logParameters: false, echo: false, healthCheckTimeoutMillis: 5_000 });
    expect(engine.options.pool.prePingTimeoutMillis).toBe(2_000);
    expect(engine.options.postgres).toMatchObject({ queryTimeoutMillis: 0, keepAliveIdleMillis: 30_000 });
    expect(open(ctx.url()).options.pool.size).toBe(ctx.isPostgres ? 10 : 4);
  });

  it("freezes the resolved options deeply, copying what the caller passed", () => {
    const pool = { size: 2 };
    const ssl = { rejectUnauthorized: false, ALPNProtocols: ["postgresql"] };
    const engine = open(ctx.url(), { pool, postgres: { ssl } });
    const objects = plainObjects(engine.options);
    expect(objects.map(([path]) => path)).toEqual(expect.arrayContaining(["options.pool", "options.sqlite", "options.postgres", "options.postgres.ssl", "options.postgres.ssl.ALPNProtocols"]));
    for (const [path, object] of objects) expect(Object.isFrozen(object), path).toBe(true);
    expect(() => {
      (engine.options.pool as { size: number }).size = 50;
    }).toThrow(TypeError);
    expect(() => {
      (engine.options.postgres.ssl as { rejectUnauthorized: boolean }).rejectUnauthorized = true;
    }).toThrow(TypeError);
    // The caller's objects stay theirs: not frozen, and later changes do not leak in.
    expect(Object.isFrozen(pool) || Object.isFrozen(ssl) || Object.isFrozen(ssl.ALPNProtocols)).toBe(false);
    pool.size = 9;
    ssl.ALPNProtocols.push("http/1.1");
    expect(engine.options.pool.size).toBe(2);
    expect((engine.options.postgres.ssl as { ALPNProtocols: string[] }).ALPNProtocols).toEqual(["postgresql"]);
  });

  it("keeps functions and TLS material (Buffers) as given", () => {
    const log = () => {};
    const ca = Buffer.from("not really a certificate");
    const engine = open(ctx.url(), { log, postgres: { ssl: { ca } } });
    expect(engine.options.log).toBe(log);
    expect((engine.options.postgres.ssl as { ca: Buffer }).ca).toBe(ca);
  });

  it("validates before connecting: an invalid option never opens a connection", async () => {
    configurationError(make({ pool: { size: -1 } }));
    const engine = open(ctx.url(), { pool: { size: 1 } });
    expect(engine.pool.status()).toMatchObject({ total: 0, created: 0 });
  });
});
