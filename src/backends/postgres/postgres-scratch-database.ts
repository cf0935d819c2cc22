import { randomBytes } from "node:crypto";
import { CompiledQuery } from "kysely";
import { DatabaseUrl, revealPassword } from "../../engine/database-url.js";
import type { Pool } from "../../pool/pool.js";
import type { BackendConnection } from "../backend.js";
import { quoteIdentifier } from "../quote-identifier.js";
import type { ScratchDatabase } from "../scratch-database.js";

/**
 * A new, empty database on the engine's server (`CREATE DATABASE`, so the engine's role
 * needs `CREATEDB`), reached with the engine's URL and credentials; `drop()` removes it with
 * `DROP DATABASE … WITH (FORCE)`.
 */
export async function createPostgresScratchDatabase(url: DatabaseUrl, pool: Pool<BackendConnection>): Promise<ScratchDatabase> {
  const name = `athanor_scratch_${randomBytes(6).toString("hex")}`;
  const run = async (statement: string): Promise<void> => {
    const connection = await pool.acquire();
    try {
      await connection.executeQuery(CompiledQuery.raw(statement));
    } finally {
      await pool.release(connection);
    }
  };
  await run(`create database ${quoteIdentifier(name)}`);
  let dropped: Promise<void> | undefined;
  return {
    url: new DatabaseUrl({ ...url, database: name }, revealPassword(url)),
    drop: () => (dropped ??= run(`drop database if exists ${quoteIdentifier(name)} with (force)`)),
  };
}
