// Seed 002's get_paginated_users, and keyset pages for deep tables.
import { createEngine, paginate, paginateByKey } from "athanor";
import { initializeDatabase } from "athanor/schema";
import { schema } from "./queries-schema.js";

const engine = createEngine(process.env.DATABASE_URL ?? "sqlite::memory:", { schema });
await initializeDatabase(engine, schema);
await engine.db.insertInto("users").values(Array.from({ length: 45 }, (_, i) => ({ email: `user${i}@example.com`, name: `User ${i}` }))).execute();

// #region offset
const page = await paginate(engine.db.selectFrom("users").select(["id", "email", "name"]).orderBy("email"), { page: 2, perPage: 20 });
// { items: [...20 users], total: 45, page: 2, perPage: 20, pages: 3 } — total is a number on every dialect
// #endregion offset
console.log(page.total, page.pages, page.items.length);

// #region keyset
const orderBy = [["createdAt", "desc"], ["id", "desc"]] as const; // the last key is unique
let after: string | null = null;
let seen = 0;
do {
  const batch: { items: Array<{ id: string; createdAt: Date }>; next: string | null } = await paginateByKey(engine.db.selectFrom("users").select(["id", "createdAt"]), { orderBy, limit: 20, after });
  seen += batch.items.length;
  after = batch.next; // opaque; hand it to the client as the next page's cursor
} while (after !== null);
// #endregion keyset
console.log(seen);

await engine.dispose();
