import type { Insertable, Kysely, Selectable, Updateable } from "kysely";
import { describe, expect, expectTypeOf, it } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import { boolean, defineSchema, index, integer, json, table, text, timestamps, uuid, type InferDatabase } from "../src/schema/index.js";

export const users = table("users", {
  id: uuid().primaryKey().defaultRandom(),
  email: text().notNull().unique(),
  name: text().notNull(),
  isActive: boolean().notNull().default(true),
  ...timestamps(),
});
export const agents = table(
  "agents",
  {
    id: uuid().primaryKey().defaultRandom(),
    ownerId: uuid().notNull().references(() => users.id, { onDelete: "cascade" }),
    name: text().notNull(),
    schedule: text(),
    config: json<{ model: string }>(),
    ...timestamps(),
  },
  (t) => [index("ix_agents_owner_id").on(t.ownerId)],
);
export const schema = defineSchema({ users, agents });
export type DB = InferDatabase<typeof schema>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};

describe("InferDatabase", () => {
  it("selects", () => {
    expectTypeOf<Selectable<DB["users"]>>().toEqualTypeOf<{ id: string; email: string; name: string; isActive: boolean; createdAt: Date; updatedAt: Date }>();
    expectTypeOf<Selectable<DB["agents"]>>().toEqualTypeOf<{
      id: string; ownerId: string; name: string; schedule: string | null; config: { model: string } | null; createdAt: Date; updatedAt: Date;
    }>();
  });
  it("is what createEngine(url, { schema }) infers, without a type argument", async () => {
    const engine = createEngine("sqlite::memory:", { schema });
    expectTypeOf(engine.db).toEqualTypeOf<Kysely<DB>>();
    await engine.dispose();
  });
  it("inserts", () => {
    expectTypeOf<Simplify<Insertable<DB["users"]>>>().toEqualTypeOf<{ email: string; name: string; id?: string | undefined; isActive?: boolean | undefined; createdAt?: Date | undefined; updatedAt?: Date | undefined }>();
  });
});

import { bigint, bytes, date, enumeration, float, numeric, varchar, vector } from "../src/schema/index.js";

const everything = table("everything", {
  id: uuid().primaryKey().defaultRandom(),
  label: varchar(20).notNull(),
  count: integer(),
  big: bigint(),
  bigNumber: bigint({ mode: "number" }).notNull(),
  ratio: float().default(0.5),
  price: numeric(10, 2),
  day: date(),
  role: enumeration(["user", "assistant"]).notNull().default("user"),
  blob: bytes(),
  embedding: vector(3),
});
const everythingSchema = defineSchema({ everything });
type Everything = InferDatabase<typeof everythingSchema>["everything"];

describe("InferDatabase column types", () => {
  it("maps every portable type", () => {
    expectTypeOf<Selectable<Everything>>().toEqualTypeOf<{
      id: string; label: string; count: number | null; big: bigint | null; bigNumber: number; ratio: number | null; price: string | null;
      day: string | null; role: "user" | "assistant"; blob: Buffer | null; embedding: number[] | null;
    }>();
    expectTypeOf<Simplify<Insertable<Everything>>>().toEqualTypeOf<{
      label: string; bigNumber: number; id?: string | undefined; count?: number | null | undefined; big?: bigint | number | null | undefined;
      ratio?: number | null | undefined; price?: string | number | null | undefined; day?: string | null | undefined; role?: "user" | "assistant" | undefined;
      blob?: Uint8Array | null | undefined; embedding?: number[] | null | undefined;
    }>();
    expectTypeOf<Updateable<Everything>["role"]>().toEqualTypeOf<"user" | "assistant" | undefined>();
  });

  it("rejects wrong columns and values at compile time (checked by tsc --noEmit)", () => {
    // Queries are only built, never executed: the assertions are the @ts-expect-error lines.
    const engine = createEngine<DB>("sqlite::memory:", { schema });
    const db: Kysely<DB> = engine.db;
    // @ts-expect-error unknown column name
    db.selectFrom("users").select("emial");
    // @ts-expect-error unknown table
    db.selectFrom("user");
    // @ts-expect-error wrong value type: isActive is boolean
    db.insertInto("users").values({ email: "a@example.com", name: "A", isActive: "yes" });
    // @ts-expect-error missing required column: name
    db.insertInto("users").values({ email: "a@example.com" });
    // @ts-expect-error json typed by its parameter: model must be a string
    db.insertInto("agents").values({ ownerId: "x", name: "n", config: { model: 1 } });
    // @ts-expect-error NOT NULL column cannot be set to null
    db.updateTable("users").set({ name: null });
    // @ts-expect-error uuid compares with strings
    db.updateTable("users").set({ isActive: true }).where("id", "=", 5);
    const all = db as unknown as Kysely<InferDatabase<typeof everythingSchema>>;
    // @ts-expect-error enum columns take only their literals
    all.insertInto("everything").values({ label: "l", bigNumber: 1, role: "admin" });
    all.insertInto("everything").values({ label: "l", bigNumber: 1, role: "assistant", big: 5n, price: 1.5 });
    // @ts-expect-error defaultNow() only on timestamp columns
    expect(() => text().defaultNow()).toThrow(/timestamp/);
    // @ts-expect-error defaultRandom() only on uuid columns
    expect(() => integer().defaultRandom()).toThrow(/uuid/);
    // @ts-expect-error default() takes the column's type (and refuses the rest at run time)
    expect(() => integer().default("five")).toThrow(/not a number/);
    const update = db.updateTable("agents").set({ schedule: null, config: { model: "gpt" } }).compile();
    expect(update.sql).toContain("update");
    return engine.dispose();
  });
});
