import { expect, it, describe } from "vitest";
import { budgetArithmetic, checkConnectionBudget, ConfigurationError, ConnectionBudgetError, poolFromBudget } from "../src/index.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { engineFactory } from "./support/engines.js";

describe("connection budget arithmetic", () => {
  it("shows both sides of the inequality", () => {
    const fits = budgetArithmetic({ workers: 4, share: 0.8 }, { size: 10, maxOverflow: 5 }, 100, 3);
    expect(fits).toMatchObject({ demand: 60, available: 77 });
    expect(fits.text).toBe("4 workers × (10 + 5) = 60 connections ≤ 0.8 × 100 max_connections − 3 reserved = 77");
    const over = budgetArithmetic({ workers: 8, reserved: 2 }, { size: 10, maxOverflow: 5 }, 100, 3);
    expect(over.text).toBe("8 workers × (10 + 5) = 120 connections > 100 max_connections − 5 reserved = 95");
  });

  it("derives pools that fill the budget without exceeding it", () => {
    for (const [maxConnections, workers, share, reserved] of [[100, 8, 0.8, 4], [100, 1, 1, 0], [500, 12, 0.5, 10], [20, 19, 1, 0], [97, 7, 0.9, 3]] as const) {
      const pool = poolFromBudget({ maxConnections, workers, share, reserved });
      const { demand, available } = budgetArithmetic({ workers, share, reserved }, pool, maxConnections);
      expect(demand).toBeLessThanOrEqual(available);
      expect(available - demand).toBeLessThan(workers); // no whole connection per worker left unused
      expect(pool.size).toBeGreaterThanOrEqual(1);
      expect(pool.maxOverflow).toBeGreaterThanOrEqual(0);
    }
    expect(poolFromBudget({ maxConnections: 100, workers: 8, share: 0.8, reserved: 4 })).toEqual({ size: 6, maxOverflow: 3 });
  });

  it("refuses a budget that cannot give each worker one connection, showing the arithmetic", () => {
    const attempt = () => poolFromBudget({ maxConnections: 20, workers: 30 });
    expect(attempt).toThrow(ConnectionBudgetError);
    expect(attempt).toThrow("30 workers × (1 + 0) = 30 connections > 20 max_connections − 0 reserved = 20");
  });

  it("rejects invalid budgets naming the field", () => {
    expect(() => poolFromBudget({ maxConnections: 100, workers: 0 })).toThrow(/budget\.workers/);
    expect(() => poolFromBudget({ maxConnections: 100, workers: 2, share: 1.5 })).toThrow(/budget\.share/);
    expect(() => poolFromBudget({ maxConnections: 100, workers: 2, share: 0 })).toThrow(/budget\.share/);
    expect(() => poolFromBudget({ maxConnections: 100, workers: 2, reserved: -1 })).toThrow(/budget\.reserved/);
    expect(() => poolFromBudget({ maxConnections: 0, workers: 2 })).toThrow(/budget\.maxConnections/);
    expect(() => poolFromBudget({ maxConnections: 100, workers: 2, wokers: 3 } as never)).toThrow(/budget\.wokers: unknown/);
    expect(() => poolFromBudget({ maxConnections: "server", workers: 2 } as never)).toThrow(ConfigurationError);
  });
});

describeEachDialect("checkConnectionBudget", (ctx) => {
  const open = engineFactory();

  it("checks a given maxConnections without a server", async () => {
    const engine = open(ctx.url(), { pool: { size: 5, maxOverflow: 5 } });
    await expect(checkConnectionBudget(engine, { workers: 4, maxConnections: 40 })).resolves.toMatchObject({ demand: 40, available: 40 });
    await expect(checkConnectionBudget(engine, { workers: 4, maxConnections: 40, reserved: 1 })).rejects.toThrow(
      "4 workers × (5 + 5) = 40 connections > 40 max_connections − 1 reserved = 39",
    );
  });

  it.runIf(ctx.isServer)("reads max_connections and the reserved connections from the server", async () => {
    const engine = open(ctx.url(), { pool: { size: 2, maxOverflow: 1 } });
    const fits = await checkConnectionBudget(engine, { workers: 1 });
    expect(fits!.maxConnections).toBeGreaterThan(fits!.reserved);
    expect(fits!.reserved).toBeGreaterThanOrEqual(0);
    expect(engine.pool.status().checkedOut).toBe(0);
    const error = await checkConnectionBudget(engine, { workers: fits!.maxConnections, share: 0.5 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectionBudgetError);
    expect((error as ConnectionBudgetError).code).toBe("CONNECTION_BUDGET_EXCEEDED");
    expect((error as Error).message).toContain(`${fits!.maxConnections} workers × (2 + 1) = ${fits!.maxConnections * 3} connections > 0.5 × ${fits!.maxConnections} max_connections`);
  });

  it.runIf(ctx.name === "postgres")("counts pipelined connections (postgres.pipeline) beside the pool", async () => {
    const engine = open(ctx.url(), { pool: { size: 5, maxOverflow: 5 }, postgres: { pipeline: 2 } });
    await expect(checkConnectionBudget(engine, { workers: 4, maxConnections: 48 })).resolves.toMatchObject({ pipeline: 2, demand: 48 });
    await expect(checkConnectionBudget(engine, { workers: 4, maxConnections: 47 })).rejects.toThrow("4 workers × (5 + 5 + 2 pipelined) = 48 connections > 47 max_connections − 0 reserved = 47");
  });

  it.skipIf(ctx.isServer)("has nothing to check against a database without a shared connection limit", async () => {
    const engine = open(ctx.url());
    await expect(checkConnectionBudget(engine, { workers: 1000 })).resolves.toBeUndefined();
  });
}, ["sqlite-memory", "pglite", "postgres"]);
