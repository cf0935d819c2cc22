import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigurationError, createEngine, createSessionFactory, parseDatabaseUrl, PoolTimeoutError } from "../src/index.js";
import { rejection } from "./support/engines.js";

describe("pglite: URLs", () => {
  it("parses the in-memory forms and data directories", () => {
    expect(parseDatabaseUrl("pglite::memory:")).toMatchObject({ dialect: "postgres", driver: "pglite", database: ":memory:", inMemory: true });
    expect(parseDatabaseUrl("pglite:memory://shared-1")).toMatchObject({ database: "memory://shared-1", inMemory: true });
    expect(parseDatabaseUrl("pglite:./data/pg", "/srv/api")).toMatchObject({ database: "/srv/api/data/pg", inMemory: false });
    expect(String(parseDatabaseUrl("pglite:./data/pg", "/srv/api"))).toBe("pglite:/srv/api/data/pg");
    expect(String(parseDatabaseUrl("pglite::memory:"))).toBe("pglite::memory:");
    expect(parseDatabaseUrl("postgres://u@h/db").driver).toBe("pg");
    expect(parseDatabaseUrl("sqlite::memory:").driver).toBe("better-sqlite3");
  });

  it.each(["pglite:", "pglite://host/db", "pglite:./dir?x=1", "pglite:memory://bad name"])("refuses %s with ConfigurationError", (url) => {
    expect(() => parseDatabaseUrl(url)).toThrow(ConfigurationError);
  });
});

describe("pglite: one session, shared in the process", () => {
  const folders: string[] = [];
  afterAll(() => Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true }))));

  it("engines on one data directory share its instance (two would corrupt it), and the data outlives them", async () => {
    const folder = await mkdtemp(join(tmpdir(), "athanor-pglite-"));
    folders.push(folder);
    const url = `pglite:${join(folder, "data")}`;
    const first = createEngine(url);
    const second = createEngine(url);
    await sql`create table notes (id int primary key, body text)`.execute(first.db);
    await first.db.insertInto("notes").values({ id: 1, body: "from the first" }).execute();
    expect(await second.db.selectFrom("notes").select("body").execute()).toEqual([{ body: "from the first" }]);
    await Promise.all([first.dispose(), second.dispose()]);
    const reopened = createEngine(url);
    try {
      expect(await reopened.db.selectFrom("notes").select("body").execute()).toEqual([{ body: "from the first" }]);
    } finally {
      await reopened.dispose();
    }
  }, 60_000);

  it("engines on one database prepare their statements under names of their own", async () => {
    const url = `pglite:memory://statements-${process.pid}`;
    const first = createEngine(url);
    const second = createEngine(url);
    try {
      await sql`create table t (id int primary key, v text)`.execute(first.db);
      await first.db.insertInto("t").values({ id: 1, v: "a" }).execute();
      // The second engine's first prepared statement differs from the first engine's first one.
      expect(await second.db.selectFrom("t").select("v").where("id", "=", 1).execute()).toEqual([{ v: "a" }]);
      await second.db.insertInto("t").values({ id: 2, v: "b" }).execute();
      expect(await first.db.selectFrom("t").select("id").orderBy("id").execute()).toEqual([{ id: 1 }, { id: 2 }]);
    } finally {
      await Promise.all([first.dispose(), second.dispose()]);
    }
  }, 60_000);

  it("a second session waits for the one connection without blocking the event loop, up to acquireTimeoutMillis", async () => {
    const engine = createEngine("pglite::memory:", { pool: { acquireTimeoutMillis: 200 } });
    const sessions = createSessionFactory(engine);
    try {
      const holder = sessions.open();
      await sql`select 1`.execute(holder);
      let ticks = 0;
      const timer = setInterval(() => ticks++, 10);
      const waiting = rejection(engine.db.selectNoFrom((eb) => eb.lit(1).as("one")).execute());
      expect(engine.pool.status()).toMatchObject({ size: 1, checkedOut: 1 });
      const error = await waiting;
      clearInterval(timer);
      expect(error).toBeInstanceOf(PoolTimeoutError);
      expect(error.message).toMatch(/PGlite runs one session at a time/);
      expect(ticks).toBeGreaterThan(0); // timers ran while it waited
      await holder.close();
      expect(await engine.db.selectNoFrom((eb) => eb.lit(1).as("one")).execute()).toEqual([{ one: 1 }]);
    } finally {
      await engine.dispose();
    }
  }, 60_000);
});
