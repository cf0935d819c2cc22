import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fitIdentifier } from "../src/backends/fit-identifier.js";
import { keyColumns } from "../src/backends/postgres/postgres-error-mapper.js";
import { createEngine, type Engine } from "../src/engine/index.js";
import { CheckViolationError, ConstraintViolationError, ForeignKeyViolationError, NotNullViolationError, UniqueViolationError } from "../src/errors.js";
import { checkSchema } from "../src/migrate/index.js";
import { check, defineSchema, enumeration, index, initializeDatabase, integer, table, text, unique, uniqueIndex, uuid } from "../src/schema/index.js";
import { statementTarget } from "../src/schema/statement-target.js";
import { createSessionFactory, type SessionFactory } from "../src/session/index.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { rejection } from "./support/engines.js";

const users = table("users", {
  id: uuid().primaryKey().defaultRandom(),
  email: text().notNull().unique(),
  name: text().notNull(),
  role: enumeration(["admin", "member"]).notNull().default("member"),
  age: integer().check(sql`age >= 0`),
  handle: text(),
}, (t) => [uniqueIndex("ix_users_handle").on(t.handle), check("users_name_not_blank", sql`length(name) > 0`)]);
const personas = table("personas", { id: uuid().primaryKey().defaultRandom(), name: text().notNull() });
const conversations = table("conversations", { id: uuid().primaryKey().defaultRandom(), ownerId: uuid().notNull().references(() => users.id) });
// Seed 003's table: a four-column unique whose derived name is 70 characters.
const conversationStates = table("conversation_states", {
  id: uuid().primaryKey().defaultRandom(),
  conversationId: uuid().notNull().references(() => conversations.id, { onDelete: "cascade" }),
  personaId: uuid().references(() => personas.id, { onDelete: "cascade" }),
  moduleId: uuid(),
  stateKey: text().notNull(),
}, (t) => [unique().on(t.conversationId, t.personaId, t.moduleId, t.stateKey), index("ix_conversation_states_conversation_id").on(t.conversationId)]);
const memories = table("memories", { id: uuid().primaryKey().defaultRandom(), ownerId: uuid().notNull().references(() => users.id), body: text().notNull() });
const schema = defineSchema({ users, personas, conversations, conversationStates, memories });

const LONG_UNIQUE = "conversation_states_conversationId_personaId_moduleId_stateKey_key";

/** What every dialect must report alike. */
const fields = (error: unknown) => {
  const { code, table: t, columns, column, constraint } = error as ConstraintViolationError;
  return { code, table: t, columns, column, constraint };
};

describe("constraint names fit PostgreSQL's 63 bytes (pure)", () => {
  it("derived names beyond 63 bytes are shortened deterministically with a hash, keeping the suffix; shorter ones are as they were", () => {
    expect(fitIdentifier("users_email", "key")).toBe("users_email_key");
    const long = fitIdentifier("conversation_states_conversation_id_persona_id_module_id_state_key", "key");
    expect(Buffer.byteLength(long)).toBe(63);
    expect(long).toMatch(/^conversation_states_conversation_id_persona_id_mod_[0-9a-f]{8}_key$/);
    expect(fitIdentifier("conversation_states_conversation_id_persona_id_module_id_state_key", "key")).toBe(long);
    expect(fitIdentifier("conversation_states_conversation_id_persona_id_module_id_state_val", "key")).not.toBe(long);
    // Never cuts a character in two.
    const accented = fitIdentifier("é".repeat(40), "check");
    expect(Buffer.byteLength(accented)).toBeLessThanOrEqual(63);
    expect(accented).toMatch(/^(é)+_[0-9a-f]{8}_check$/);
  });

  it("the schema declares the shortened name, and names given by hand are still refused beyond 63 bytes", () => {
    expect(LONG_UNIQUE.length).toBe(66);
    const [declared] = conversationStates.$definition.uniques.map((entry) => entry.name);
    expect(declared).toBe(fitIdentifier("conversation_states_conversationId_personaId_moduleId_stateKey", "key"));
    expect(Buffer.byteLength(declared!)).toBe(63);
    expect(() => table("t", { a: text() }, (t) => [unique("x".repeat(64)).on(t.a)])).toThrow(/longer than 63 bytes/);
  });

  it("reads PostgreSQL's key list (quoted names too), and nothing from an expression key", () => {
    expect(keyColumns('Key (email)=(a@example.com) already exists.')).toEqual(["email"]);
    expect(keyColumns('Key ("conversationId", "state ""key""", module_id)=(1, 2, 3) already exists.')).toEqual(["conversationId", 'state "key"', "module_id"]);
    expect(keyColumns("Key (lower(email))=(a) already exists.")).toBeUndefined();
  });

  it("tells which table a statement writes and the columns it sets", () => {
    const engine = createEngine("sqlite::memory:", { schema });
    try {
      const insert = statementTarget(engine.db.insertInto("conversation_states").values({ conversationId: "c", personaId: null, stateKey: "k" }).compile());
      expect(insert).toEqual({ kind: "insert", table: "conversation_states", columns: new Set(["conversationId", "stateKey"]) });
      expect(statementTarget(engine.db.updateTable("users").set({ name: "x", age: null }).where("id", "=", "1").compile())).toEqual({ kind: "update", table: "users", columns: new Set(["name"]) });
      expect(statementTarget(engine.db.deleteFrom("users").compile())).toMatchObject({ kind: "delete", table: "users" });
      expect(statementTarget(sql`INSERT INTO "conversation_states" (x) values (1)`.compile(engine.db))).toMatchObject({ kind: "insert", table: "conversation_states", columns: undefined });
    } finally {
      void engine.dispose();
    }
  });
});

describeEachDialect("constraint errors carry table, columns and constraint, identically", (ctx) => {
  let engine: Engine<any>;
  let sessions: SessionFactory<any>;
  const ADA = "00000000-0000-4000-8000-00000000000a";
  beforeAll(async () => {
    engine = createEngine(ctx.url(), { schema });
    sessions = createSessionFactory(engine);
    await initializeDatabase(engine, schema);
    await engine.db.insertInto("users").values({ id: ADA, email: "ada@example.com", name: "Ada", handle: "ada" }).execute();
  });
  afterAll(() => engine.dispose());

  // Seed 002: IntegrityError → 400 "Email already exists", without a dialect branch.
  it("a duplicate email: UniqueViolationError { table: users, columns: [email], constraint: users_email_key }, in a session and in autocommit", async () => {
    const viaSession = await rejection(sessions.run((db) => db.insertInto("users").values({ email: "ada@example.com", name: "Ada again" }).execute()));
    const viaEngine = await rejection(engine.db.insertInto("users").values({ email: "ada@example.com", name: "Ada again" }).execute());
    for (const error of [viaSession, viaEngine]) {
      expect(error).toBeInstanceOf(UniqueViolationError);
      expect(fields(error)).toEqual({ code: "UNIQUE_VIOLATION", table: "users", columns: ["email"], column: "email", constraint: "users_email_key" });
    }
    const answer = (error: unknown) =>
      error instanceof UniqueViolationError && error.table === "users" && error.columns.includes("email") ? { status: 400, detail: "Email already exists" } : { status: 500 };
    expect(answer(viaSession)).toEqual({ status: 400, detail: "Email already exists" });
  });

  it("a duplicate primary key, a unique index, and seed 003's four-column unique (its name shortened alike in the schema and the database)", async () => {
    expect(fields(await rejection(engine.db.insertInto("users").values({ id: ADA, email: "other@example.com", name: "x" }).execute()))).toEqual({
      code: "UNIQUE_VIOLATION", table: "users", columns: ["id"], column: "id", constraint: "users_pkey",
    });
    expect(fields(await rejection(engine.db.insertInto("users").values({ email: "h@example.com", name: "x", handle: "ada" }).execute()))).toEqual({
      code: "UNIQUE_VIOLATION", table: "users", columns: ["handle"], column: "handle", constraint: "ix_users_handle",
    });
    const { id: conversationId } = await engine.db.insertInto("conversations").values({ ownerId: ADA }).returning("id").executeTakeFirstOrThrow();
    const { id: personaId } = await engine.db.insertInto("personas").values({ name: "p" }).returning("id").executeTakeFirstOrThrow();
    const state = { conversationId, personaId, moduleId: "00000000-0000-4000-8000-0000000000f1", stateKey: "mood" };
    await engine.db.insertInto("conversation_states").values(state).execute();
    const duplicate = await rejection(sessions.run((db) => db.insertInto("conversation_states").values(state).execute()));
    const declared = conversationStates.$definition.uniques[0]!.name;
    expect(fields(duplicate)).toEqual({ code: "UNIQUE_VIOLATION", table: "conversation_states", columns: ["conversationId", "personaId", "moduleId", "stateKey"], column: "conversationId", constraint: declared });
    if (ctx.isPostgres) {
      const names = await sql<{ name: string }>`select conname as name from pg_constraint where conrelid = 'conversation_states'::regclass and contype = 'u'`.execute(engine.db);
      expect(names.rows.map((row) => row.name)).toEqual([declared]);
    }
    expect((await checkSchema(engine, schema)).operations).toEqual([]);
  });

  it("a missing parent, and a parent still referenced: ForeignKeyViolationError naming the referencing table, its columns and the foreign key", async () => {
    const expected = { code: "FOREIGN_KEY_VIOLATION", table: "conversations", columns: ["ownerId"], column: "ownerId", constraint: "conversations_ownerId_fkey" };
    expect(fields(await rejection(engine.db.insertInto("conversations").values({ ownerId: "00000000-0000-4000-8000-000000000099" }).execute()))).toEqual(expected);
    const { id } = await engine.db.insertInto("users").values({ email: "owner@example.com", name: "Owner" }).returning("id").executeTakeFirstOrThrow();
    await engine.db.insertInto("conversations").values({ ownerId: id }).execute();
    expect(fields(await rejection(sessions.run((db) => db.deleteFrom("users").where("id", "=", id).execute())))).toEqual(expected);
    // Of conversation_states' two foreign keys, the statement set only one.
    expect(fields(await rejection(engine.db.insertInto("conversation_states").values({ conversationId: "00000000-0000-4000-8000-000000000098", stateKey: "k" }).execute()))).toEqual({
      code: "FOREIGN_KEY_VIOLATION", table: "conversation_states", columns: ["conversationId"], column: "conversationId", constraint: "conversation_states_conversationId_fkey",
    });
  });

  it("where several foreign keys could have failed, the one whose parent is missing (or whose children remain) is named, on SQLite too", async () => {
    const { id: conversationId } = await engine.db.insertInto("conversations").values({ ownerId: ADA }).returning("id").executeTakeFirstOrThrow();
    const missingPersona = await rejection(
      sessions.run((db) => db.insertInto("conversation_states").values({ conversationId, personaId: "00000000-0000-4000-8000-000000000097", stateKey: "k" }).execute()),
    );
    expect(fields(missingPersona)).toEqual({ code: "FOREIGN_KEY_VIOLATION", table: "conversation_states", columns: ["personaId"], column: "personaId", constraint: "conversation_states_personaId_fkey" });
    const { id: writer } = await engine.db.insertInto("users").values({ email: "writer@example.com", name: "Writer" }).returning("id").executeTakeFirstOrThrow();
    await engine.db.insertInto("memories").values({ ownerId: writer, body: "remember" }).execute();
    // users is referenced by conversations and by memories: only memories holds this user.
    for (const attempt of [() => engine.db.deleteFrom("users").where("id", "=", writer).execute(), () => sessions.run((db) => db.deleteFrom("users").where("email", "=", "writer@example.com").execute())]) {
      expect(fields(await rejection(attempt))).toEqual({ code: "FOREIGN_KEY_VIOLATION", table: "memories", columns: ["ownerId"], column: "ownerId", constraint: "memories_ownerId_fkey" });
    }
  });

  it("NOT NULL: table and column, no constraint name on either dialect", async () => {
    const error = await rejection(engine.db.insertInto("users").values({ email: "n@example.com", name: null as never }).execute());
    expect(error).toBeInstanceOf(NotNullViolationError);
    expect(fields(error)).toEqual({ code: "NOT_NULL_VIOLATION", table: "users", columns: ["name"], column: "name", constraint: undefined });
  });

  it("CHECK: a column's check names its column, an enum's check its column, a table check none", async () => {
    const column = await rejection(engine.db.insertInto("users").values({ email: "c1@example.com", name: "x", age: -1 }).execute());
    expect(column).toBeInstanceOf(CheckViolationError);
    expect(fields(column)).toEqual({ code: "CHECK_VIOLATION", table: "users", columns: ["age"], column: "age", constraint: "users_age_check" });
    expect(fields(await rejection(engine.db.insertInto("users").values({ email: "c2@example.com", name: "x", role: "owner" as never }).execute()))).toEqual({
      code: "CHECK_VIOLATION", table: "users", columns: ["role"], column: "role", constraint: "users_role_enum",
    });
    expect(fields(await rejection(sessions.run((db) => db.insertInto("users").values({ email: "c3@example.com", name: "" }).execute())))).toEqual({
      code: "CHECK_VIOLATION", table: "users", columns: [], column: undefined, constraint: "users_name_not_blank",
    });
  });
});

describeEachDialect("constraint errors without a schema: what the database says", (ctx) => {
  let engine: Engine<any>;
  beforeAll(async () => {
    engine = createEngine(ctx.url());
    await sql`create table parents (id integer primary key)`.execute(engine.db);
    await sql`create table kids (id integer primary key, email text not null, parent_id integer references parents (id), constraint uq_kids_email unique (email), constraint ck_kids_id check (id > 0))`.execute(engine.db);
    await sql`insert into parents values (1)`.execute(engine.db);
    await sql`insert into kids values (1, 'a@example.com', 1)`.execute(engine.db);
  });
  afterAll(() => engine.dispose());

  it("a unique violation has the table and columns on both dialects, the constraint's name on PostgreSQL only (SQLite does not say it)", async () => {
    const error = await rejection(sql`insert into kids (id, email) values (2, 'a@example.com')`.execute(engine.db));
    expect(fields(error)).toEqual({ code: "UNIQUE_VIOLATION", table: "kids", columns: ["email"], column: "email", constraint: ctx.isPostgres ? "uq_kids_email" : undefined });
  });

  it("a check names its constraint, and its table on both (SQLite's from the statement)", async () => {
    expect(fields(await rejection(sql`insert into kids (id, email) values (-1, 'b@example.com')`.execute(engine.db)))).toMatchObject({ table: "kids", constraint: "ck_kids_id" });
  });

  it("a missing parent names the referencing table on both; its columns and name only on PostgreSQL", async () => {
    const error = await rejection(sql`insert into kids (id, email, parent_id) values (3, 'c@example.com', 9)`.execute(engine.db));
    expect(fields(error)).toEqual(
      ctx.isPostgres
        ? { code: "FOREIGN_KEY_VIOLATION", table: "kids", columns: ["parent_id"], column: "parent_id", constraint: "kids_parent_id_fkey" }
        : { code: "FOREIGN_KEY_VIOLATION", table: "kids", columns: [], column: undefined, constraint: undefined },
    );
  });
});
