// A query built and compiled once, run many times.
import { createEngine, createSessionFactory, prepareQuery } from "athanor";
import { initializeDatabase } from "athanor/schema";
import { schema } from "./queries-schema.js";

const engine = createEngine(process.env.DATABASE_URL ?? "sqlite::memory:", { schema });
const sessions = createSessionFactory(engine);
await initializeDatabase(engine, schema);

// #region prepared
const userByEmail = prepareQuery(engine.db, (db, $: { email: string }) => db.selectFrom("users").selectAll().where("email", "=", $.email));
const addUser = prepareQuery(engine.db, (db, $: { email: string; name: string }) => db.insertInto("users").values({ email: $.email, name: $.name }));

await sessions.run(async (db) => {
  await addUser.execute(db, { email: "ada@example.com", name: "Ada" }); // in the session's transaction
  await addUser.execute(db, { email: "bob@example.com", name: "Bob" });
});
const ada = await userByEmail.executeTakeFirstOrThrow(engine.db, { email: "ada@example.com" });
// #endregion prepared
console.log(ada.name, ada.createdAt instanceof Date);

await engine.dispose();
