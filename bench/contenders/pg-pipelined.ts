import pg from "pg";
import { JOIN_ROWS, joinStart, SQL } from "../bench-schema.js";
import type { Contender } from "../contender.js";

const { pointSelect, join } = SQL.postgres;

/**
 * `pg` 8.23's pipeline mode (`new pg.Client({ pipeline: true })`): autocommit statements are
 * written to one of a few connections without waiting for the previous one's reply, each with
 * its own Sync, as postgres.js does. It measures what pipelining on `pg` itself can reach,
 * before any library sits on it: `BENCH_PIPELINE_CONNECTIONS` clients (default 2), a statement
 * going to the one with the fewest in flight. Only the autocommit scenarios (point select,
 * join): a transaction needs a connection of its own.
 */
export const pgPipelined: Contender = {
  name: "pg pipelined",
  dialect: "postgres",
  async open(target) {
    const count = Number(process.env.BENCH_PIPELINE_CONNECTIONS ?? 2);
    const clients = await Promise.all(
      Array.from({ length: count }, async () => {
        const client = new pg.Client({ connectionString: target.location, pipeline: true } as pg.ClientConfig);
        client.on("error", () => undefined);
        await client.connect();
        return { client, inFlight: 0 };
      }),
    );
    async function query(text: string, values: unknown[]): Promise<pg.QueryResult> {
      let chosen = clients[0]!;
      for (const candidate of clients) if (candidate.inFlight < chosen.inFlight) chosen = candidate;
      chosen.inFlight++;
      try {
        return await chosen.client.query(text, values);
      } finally {
        chosen.inFlight--;
      }
    }
    return {
      pointSelect: async (id) => (await query(pointSelect, [id])).rows[0],
      join: async (id) => {
        const from = joinStart(id, target.rows);
        return (await query(join, [from, from + JOIN_ROWS])).rows;
      },
      close: async () => {
        await Promise.all(clients.map(({ client }) => client.end()));
      },
    };
  },
};
