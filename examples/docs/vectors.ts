// Vector columns and nearest neighbours: the same ranking on SQLite, PostgreSQL with pgvector, and PostgreSQL without it.
import { createEngine } from "athanor";
import { defineSchema, index, initializeDatabase, nearest, table, text, uuid, vector, vectorDistance } from "athanor/schema";

const conversations = table("conversations", { id: uuid().primaryKey().defaultRandom(), title: text().notNull() });
// #region declare
const memory = table(
  "conversation_memory",
  {
    id: uuid().primaryKey().defaultRandom(),
    conversationId: uuid().notNull().references(() => conversations.id, { onDelete: "cascade" }),
    content: text().notNull(),
    embedding: vector(3), // vector(1536) for real embeddings
  },
  // pgvector's HNSW index for nearest(…, { metric: "cosine" }); left out where vectors are not pgvector's
  (t) => [index("ix_conversation_memory_embedding", { method: "hnsw", operatorClass: "vector_cosine_ops", with: { m: 16, ef_construction: 64 } }).on(t.embedding)],
);
// #endregion declare
const schema = defineSchema({ conversations, memory });
const engine = createEngine(process.env.DATABASE_URL ?? "sqlite::memory:", { schema });
await initializeDatabase(engine, schema);
const { id } = await engine.db.insertInto("conversations").values({ title: "tea" }).returning("id").executeTakeFirstOrThrow();
await engine.db
  .insertInto("conversation_memory")
  .values([
    { conversationId: id, content: "likes green tea", embedding: [0.9, 0.1, 0] },
    { conversationId: id, content: "dislikes coffee", embedding: [0.1, 0.9, 0] },
    { conversationId: id, content: "lives by the sea", embedding: [0, 0.2, 0.9] },
  ])
  .execute();
const db = engine.db;
const queryEmbedding = [1, 0, 0];
const q = queryEmbedding;

// #region query
const rows = await nearest(db, memory.embedding, queryEmbedding, { metric: "cosine", limit: 2, select: ["id", "content"] })
  .where("conversationId", "=", id)
  .execute(); // [{ id, content, distance }], nearest first (no select: every column)
const distances = await db.selectFrom("conversation_memory").select(["content", vectorDistance(memory.embedding, q, "l2").as("d")]).orderBy("d").execute();
// #endregion query
console.log(rows.map((row) => row.content), distances[0]?.content); // [ 'likes green tea', 'dislikes coffee' ] likes green tea
await engine.dispose();
