import type { Generated, Kysely } from "kysely";
import { afterAll, afterEach } from "vitest";
import { createEngine } from "../../src/engine/create-engine.js";
import type { Engine } from "../../src/engine/engine.js";
import type { EngineEventName, EngineListener } from "../../src/engine/engine-events.js";
import type { EngineOptions } from "../../src/engine/engine-options.js";
import type { AthanorError } from "../../src/errors.js";
import { createSessionFactory, type SessionFactory, type SessionOptions } from "../../src/session/index.js";
import type { DialectContext } from "./each-dialect.js";
import { engineFactory } from "./engines.js";

/** `items`: the table most session tests write to. `name` is unique, so a duplicate is a cheap failing statement. */
export interface ItemTable {
  id: number;
  name: string;
  /** Defaults to 0. */
  qty: Generated<number>;
}

export interface SessionTestDb {
  items: ItemTable;
}

/** What a session test works with: an engine on the suite's database and a factory over it. */
export interface SessionFixture {
  readonly engine: Engine<SessionTestDb>;
  readonly sessions: SessionFactory<SessionTestDb>;
  /** `error` events the engine reported during this test (statement failures, failed hooks). */
  readonly errors: AthanorError[];
  /** `engine.on()` for this test only: the listener is removed after it. */
  on<E extends EngineEventName>(name: E, listener: EngineListener<E>): void;
}

/** Creates `items` if needed and empties it (a suite's PostgreSQL and SQLite-file databases live across its tests). */
export async function resetItems(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("items")
    .ifNotExists()
    .addColumn("id", "integer", (column) => column.primaryKey())
    .addColumn("name", "text", (column) => column.notNull().unique())
    .addColumn("qty", "integer", (column) => column.notNull().defaultTo(0))
    .execute();
  await db.deleteFrom("items").execute();
}

/** Names in `items`, sorted, read through the engine (autocommit, outside any session). */
export async function itemNames(engine: Engine<SessionTestDb>): Promise<string[]> {
  const rows = await engine.db.selectFrom("items").select("name").orderBy("name").execute();
  return rows.map((row) => row.name);
}

/**
 * Call at describe level. Returns `setup()`, which gives a test an engine on the suite's
 * database with `items` emptied, and a session factory for it. Without engine options the
 * engine is shared by the suite's tests (as an application shares one), and replaced when a
 * test left it disposed or with a connection checked out; with options it is the test's own,
 * disposed after it.
 */
export function sessionHarness(ctx: DialectContext): (options?: { engine?: EngineOptions; sessions?: SessionOptions }) => Promise<SessionFixture> {
  const open = engineFactory();
  let shared: Engine<SessionTestDb> | undefined;
  const detach: Array<() => void> = [];
  afterEach(async () => {
    for (const off of detach.splice(0)) off();
    if (shared !== undefined && (shared.disposed || shared.pool.status().checkedOut > 0)) {
      const leaked = shared;
      shared = undefined;
      await leaked.dispose();
    }
  });
  afterAll(async () => {
    await shared?.dispose();
  });
  return async (options = {}) => {
    const engine = options.engine === undefined ? (shared ??= createEngine<SessionTestDb>(ctx.url())) : (open(ctx.url(), options.engine) as Engine<SessionTestDb>);
    await resetItems(engine.db);
    const errors: AthanorError[] = [];
    const on: SessionFixture["on"] = (name, listener) => {
      engine.on(name, listener);
      detach.push(() => engine.off(name, listener));
    };
    on("error", ({ error }) => errors.push(error));
    return { engine, sessions: createSessionFactory(engine, options.sessions), errors, on };
  };
}
