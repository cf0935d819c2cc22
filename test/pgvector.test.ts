/**
 * The pgvector path, for real: PGlite with the vector extension, served by pglite-socket on a
 * loopback port, and Athanor's PostgreSQL backend (pg, named statements, the pipelined BEGIN)
 * connected to it as to a server with pgvector.
 */
import { PGlite } from "@electric-sql/pglite";
import { vector as pgvector } from "@electric-sql/pglite-pgvector";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { CompiledQuery, sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine, createSessionFactory, type Engine } from "../src/index.js";
import { createMigrationOperations, renderMigrationSql, renderOperations, type MigrationOperations, type RevisionScript } from "../src/migrate/index.js";
import { schemaDifference } from "../src/migrate/schema-difference.js";
import { defineSchema, index, initializeDatabase, integer, introspectSchema, nearest, table, text, toSchemaModel, vector, type InferDatabase } from "../src/schema/index.js";
import { shortestFloat32 } from "../src/backends/vector-values.js";
import { QUERY, reference, ROWS } from "./support/vector-fixtures.js";

const memories = table(
  "memories",
  { id: integer().primaryKey(), topic: text().notNull(), embedding: vector(4) },
  (t) => [
    index("ix_memories_embedding_hnsw", { method: "hnsw", operatorClass: "vector_cosine_ops", with: { m: 8, ef_construction: 32 } }).on(t.embedding),
    index("ix_memories_embedding_ivfflat", { method: "ivfflat", operatorClass: "vector_l2_ops", with: { lists: 2 } }).on(t.embedding),
  ],
);
const schema = defineSchema({ memories });
type DB = InferDatabase<typeof schema>;

let db: PGlite;
let server: PGLiteSocketServer;
let url: string;
let engine: Engine<DB>;

beforeAll(async () => {
  db = await PGlite.create({ extensions: { vector: pgvector } });
  // Several connections: the engine's, its migration lock's, a plain pg client's.
  server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 8 });
  await server.start();
  url = `postgres://postgres@${server.getServerConn()}/postgres`;
  engine = createEngine(url, { schema, pool: { size: 1, maxOverflow: 0 } });
  await initializeDatabase(engine, schema);
  await engine.db.insertInto("memories").values(ROWS).execute();
}, 60_000);

afterAll(async () => {
  await engine?.dispose();
  await server?.stop();
  await db?.close();
});

const text1 = async (query: ReturnType<typeof sql<{ value: string }>>) => (await query.execute(engine.db)).rows[0]?.value;

describe("pgvector through pglite-socket, on Athanor's PostgreSQL backend", () => {
  it("creates vector(n) columns, with pgvector installed by the schema", async () => {
    expect(await text1(sql<{ value: string }>`select extversion as value from pg_extension where extname = 'vector'`)).toMatch(/^\d+\.\d+/);
    expect(await text1(sql<{ value: string }>`select format_type(atttypid, atttypmod) as value from pg_attribute where attrelid = 'memories'::regclass and attname = 'embedding'`)).toBe("vector(4)");
  });

  it("creates the HNSW and IVFFlat indexes with their operator classes and parameters", async () => {
    const { rows } = await sql<{ name: string; definition: string }>`select indexname as name, indexdef as definition from pg_indexes where tablename = 'memories' and indexname like 'ix_%' order by 1`.execute(engine.db);
    expect(rows).toEqual([
      { name: "ix_memories_embedding_hnsw", definition: expect.stringMatching(/USING hnsw \(embedding vector_cosine_ops\) WITH \(m='8', ef_construction='32'\)/) },
      // vector_l2_ops is ivfflat's default operator class, which PostgreSQL leaves out of the definition.
      { name: "ix_memories_embedding_ivfflat", definition: expect.stringMatching(/USING ivfflat \(embedding\) WITH \(lists='2'\)/) },
    ]);
  });

  it("reads vectors back as arrays of the stored float32 values, and refuses the wrong dimensions", async () => {
    const row = await engine.db.selectFrom("memories").select("embedding").where("id", "=", 1).executeTakeFirstOrThrow();
    expect(row.embedding).toEqual(ROWS[0]!.embedding.map(shortestFloat32));
    await expect(engine.db.insertInto("memories").values({ id: 999, topic: "bad", embedding: [1, 2, 3] }).execute()).rejects.toThrow(/expected 4 dimensions/);
  });

  // The indexes are approximate (ANN): a search as wide as the table (ef_search, probes) gives the exact ranking.
  it.each(["cosine", "l2"] as const)("ranks by %s distance like the reference, and like SQLite's float32 BLOBs", async (metric) => {
    const rows = await createSessionFactory(engine).run(async (session) => {
      await sql`set local hnsw.ef_search = 1000`.execute(session);
      await sql`set local ivfflat.probes = 2`.execute(session);
      return nearest(session, memories.embedding, QUERY, { metric, limit: ROWS.length }).execute();
    });
    expect(rows.map((row) => row.id)).toEqual(reference(metric));
    const sqlite = createEngine("sqlite::memory:", { schema });
    try {
      await initializeDatabase(sqlite, schema);
      await sqlite.db.insertInto("memories").values(ROWS).execute();
      const other = await nearest(sqlite.db, memories.embedding, QUERY, { metric, limit: ROWS.length }).execute();
      expect(other.map((row) => row.id)).toEqual(rows.map((row) => row.id));
      other.forEach((row, i) => expect(row.distance).toBeCloseTo(rows[i]!.distance, 6));
    } finally {
      await sqlite.dispose();
    }
  });

  it("nearest() by cosine is answered from the HNSW index (its distance function inlines to pgvector's operator)", async () => {
    const compiled = nearest(engine.db, memories.embedding, QUERY, { limit: 3 }).compile();
    const plan = await createSessionFactory(engine).run(async (session) => {
      await sql`set local enable_seqscan = off`.execute(session);
      const { rows } = await session.executeQuery(CompiledQuery.raw(`explain ${compiled.sql}`, [...compiled.parameters]));
      return (rows as Array<{ "QUERY PLAN": string }>).map((row) => row["QUERY PLAN"]).join("\n");
    });
    expect(plan).toMatch(/Index Scan using ix_memories_embedding_hnsw/);
  });

  it("introspects the indexes as declared, so autogenerate finds nothing to do", async () => {
    const live = await introspectSchema(engine);
    expect(live.tables.find((entry) => entry.name === "memories")?.indexes).toEqual(toSchemaModel(schema).tables[0]!.indexes);
    expect(await schemaDifference(engine, schema)).toEqual([]);
  });

  it("autogenerates a vector column and its HNSW index, which apply and then agree with the schema", async () => {
    const notes = table("notes", { id: integer().primaryKey(), body: text().notNull() });
    const notesWithEmbedding = table("notes", { id: integer().primaryKey(), body: text().notNull(), embedding: vector(3) }, (t) => [
      index("ix_notes_embedding", { method: "hnsw", operatorClass: "vector_l2_ops" }).on(t.embedding),
    ]);
    const before = defineSchema({ memories, notes });
    const after = defineSchema({ memories, notes: notesWithEmbedding });
    const first = createEngine(url, { schema: before, pool: { size: 1, maxOverflow: 0 } });
    try {
      await initializeDatabase(first, before);
    } finally {
      await first.dispose();
    }
    const target = createEngine(url, { schema: after, pool: { size: 1, maxOverflow: 0 } });
    try {
      const operations = await schemaDifference(target, after);
      expect(operations.map((operation) => operation.kind)).toEqual(["addColumn", "createIndex"]);
      expect(renderOperations(operations)).toContain('method: "hnsw"');
      await target.db.transaction().execute(async (trx) => {
        const op = createMigrationOperations("postgres", trx);
        for (const operation of operations) await op.apply(operation);
      });
      expect(await schemaDifference(target, after)).toEqual([]);
      const { rows } = await sql<{ type: string }>`select format_type(atttypid, atttypmod) as type from pg_attribute where attrelid = 'notes'::regclass and attname = 'embedding'`.execute(target.db);
      expect(rows[0]?.type).toBe("vector(3)");
    } finally {
      await target.dispose();
    }
  });

  it("renders offline SQL with vector(n) and the index when told the target has pgvector, and that SQL runs", async () => {
    const script: RevisionScript = {
      revision: "v1",
      downRevision: null,
      path: "v1.ts",
      checksum: "x",
      transactional: true,
      message: "memories",
      up: async (op: MigrationOperations) => {
        await op.createTable("offline_memories", {
          columns: [
            { name: "id", type: "integer", nullable: false },
            { name: "embedding", type: { kind: "vector", dimensions: 4 } },
          ],
          primaryKey: ["id"],
          indexes: [{ name: "ix_offline_memories_embedding", columns: ["embedding"], method: "hnsw", operatorClass: "vector_cosine_ops" }],
        });
      },
      down: undefined,
    } as unknown as RevisionScript;
    const plain = await renderMigrationSql({ dialect: "postgres", scripts: [script], direction: "upgrade", target: "head", versionTable: "offline_versions" });
    expect(plain).toMatch(/"embedding" real\[\]/);
    expect(plain).not.toMatch(/using hnsw/);
    const withPgvector = await renderMigrationSql({ dialect: "postgres", scripts: [script], direction: "upgrade", target: "head", versionTable: "offline_versions", pgvector: true });
    expect(withPgvector).toMatch(/create extension if not exists vector/);
    expect(withPgvector).toMatch(/"embedding" vector\(4\)/);
    expect(withPgvector).toMatch(/create index "ix_offline_memories_embedding" on "offline_memories" using hnsw \("embedding" vector_cosine_ops\)/);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(withPgvector);
      const { rows } = await client.query<{ definition: string }>("select indexdef as definition from pg_indexes where indexname = 'ix_offline_memories_embedding'");
      expect(rows[0]?.definition).toMatch(/USING hnsw \(embedding vector_cosine_ops\)/);
    } finally {
      await client.end();
    }
  });
});
