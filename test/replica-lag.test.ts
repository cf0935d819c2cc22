import { describe, expect, it } from "vitest";
import { parseLsn } from "../src/backends/postgres/postgres-replication-probe.js";
import { PositionHistory } from "../src/engine/replicas/position-history.js";
import { InvalidReplicaPositionError, createEngine } from "../src/index.js";
import { ReadYourWritesScope, formatPosition, parsePosition, readYourWritesContext, runReadingYourWrites } from "../src/engine/replicas/read-your-writes.js";

describe("replica lag from the primary's position history", () => {
  it("parses PostgreSQL LSNs into ordered bigints", () => {
    expect(parseLsn("0/0")).toBe(0n);
    expect(parseLsn("16/B374D848")).toBe(0x16b374d848n);
    expect(parseLsn("1/0") > parseLsn("0/FFFFFFFF")).toBe(true);
    expect(() => parseLsn("16-B374D848")).toThrow(/not a PostgreSQL LSN/);
  });

  it("is 0 for a replica at or past the latest position, else the time since the primary first went past its position", () => {
    const history = new PositionHistory(10_000);
    history.add(100n, 1_000);
    history.add(100n, 2_000); // no progress: the first sighting is kept
    history.add(200n, 3_000);
    history.add(300n, 4_000);
    expect(history.latest).toBe(300n);
    expect(history.lagMillis(300n, 4_500)).toBe(0);
    expect(history.lagMillis(250n, 4_500)).toBe(500);
    expect(history.lagMillis(150n, 4_500)).toBe(1_500);
    expect(history.lagMillis(50n, 4_500)).toBe(3_500);
  });

  it("does not grow on an idle primary (the flaw of pg_last_xact_replay_timestamp)", () => {
    const history = new PositionHistory(10_000);
    history.add(500n, 0);
    for (let at = 1_000; at <= 60_000; at += 1_000) history.add(500n, at);
    expect(history.lagMillis(500n, 60_000)).toBe(0);
  });

  it("forgets samples past its horizon but keeps measuring a replica behind them all", () => {
    const history = new PositionHistory(1_000);
    for (let i = 1; i <= 100; i++) history.add(BigInt(i), i * 100);
    expect(history.lagMillis(0n, 10_000)).toBeGreaterThanOrEqual(1_000);
    expect(history.lagMillis(99n, 10_000)).toBe(0);
  });
});

describe("read-your-writes scopes", () => {
  it("keep the highest position, and nested scopes share the outer one", async () => {
    expect(readYourWritesContext.getStore()).toBeUndefined();
    await runReadingYourWrites(async () => {
      const outer = readYourWritesContext.getStore()!;
      expect(outer).toBeInstanceOf(ReadYourWritesScope);
      outer.record(20n);
      outer.record(10n);
      await runReadingYourWrites(async () => {
        expect(readYourWritesContext.getStore()).toBe(outer);
        outer.record(30n);
      });
      expect(outer.position).toBe(30n);
    });
    expect(readYourWritesContext.getStore()).toBeUndefined();
  });
});

describe("read-your-writes position tokens", () => {
  it("round-trip, and a malformed one is the client's error, on engines with and without replicas", async () => {
    expect(parsePosition(formatPosition(0x16b374d848n))).toBe(0x16b374d848n);
    for (const bad of ["", "16/B374D848", "G1", "0123456789abcdef0", "ABC"]) expect(() => parsePosition(bad)).toThrow(InvalidReplicaPositionError);
    const engine = createEngine("sqlite::memory:");
    expect(() => engine.replicas.readYourWrites(() => 1, { after: "nope" })).toThrow(InvalidReplicaPositionError);
    expect(engine.replicas.readYourWrites(() => 1, { after: "" })).toBe(1);
    expect(engine.replicas.readYourWrites(() => engine.replicas.position(), { after: "ff" })).toBeUndefined();
    await engine.dispose();
  });
});
