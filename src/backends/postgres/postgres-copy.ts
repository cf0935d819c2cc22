import type pg from "pg";
import type { CopyRows } from "../copy-rows.js";
import { loadDriver } from "../load-driver.js";

/** What pg exports of its own value serialiser (`pg.utils.prepareValue`). */
interface PgUtils {
  readonly utils: { prepareValue(value: unknown): unknown };
}

/** Text handed to the socket at a time (COPY data messages of about this size). */
const CHUNK_CHARS = 64 * 1024;
const SPECIAL = /[\\\n\r\t]/;

let prepareValue: ((value: unknown) => unknown) | undefined;

/**
 * Runs `COPY … FROM STDIN` (text format) on `client` with `rows` as its data, through pg's
 * protocol hooks (no stream library). Each value is turned into the text pg would send as a
 * parameter of an INSERT (`pg.utils.prepareValue`: Dates, arrays, Buffers as bytea…), so the
 * server's input functions read the same text either way; then escaped for COPY. Resolves with
 * the row count of the server's `COPY n`; a server error (a unique violation, a bad value)
 * rejects with pg's error after the server has left copy mode.
 */
export function copyFromStdin(client: pg.ClientBase, sql: string, rows: CopyRows): Promise<pg.QueryResult> {
  prepareValue ??= loadDriver<PgUtils>("pg").utils.prepareValue;
  const chunks = copyText(rows, prepareValue);
  return new Promise((resolve, reject) => {
    // A submittable: pg returns it as is, and answers through its handlers.
    client.query(new CopyFromQuery(sql, chunks, resolve, reject) as unknown as pg.QueryConfig);
  });
}

/** COPY's text format: a tab between values, a newline after each row, `\N` for NULL, backslash escapes. */
function copyText(rows: CopyRows, prepare: (value: unknown) => unknown): Buffer[] {
  const { parameters, width } = rows;
  const chunks: Buffer[] = [];
  let text = "";
  for (let index = 0; index < parameters.length; index++) {
    text += copyValue(parameters[index], prepare);
    text += (index + 1) % width === 0 ? "\n" : "\t";
    if (text.length >= CHUNK_CHARS) {
      chunks.push(Buffer.from(text, "utf8"));
      text = "";
    }
  }
  if (text !== "") chunks.push(Buffer.from(text, "utf8"));
  return chunks;
}

function copyValue(value: unknown, prepare: (value: unknown) => unknown): string {
  if (typeof value === "number") return String(value);
  if (value === null || value === undefined) return "\\N";
  const prepared = typeof value === "string" ? value : prepare(value);
  if (prepared === null || prepared === undefined) return "\\N";
  const text = Buffer.isBuffer(prepared) ? `\\x${prepared.toString("hex")}` : String(prepared);
  return SPECIAL.test(text) ? text.replace(/[\\\n\r\t]/g, escape) : text;
}

function escape(character: string): string {
  switch (character) {
    case "\\": return "\\\\";
    case "\n": return "\\n";
    case "\r": return "\\r";
    default: return "\\t";
  }
}

/** The wire part that pg's Connection offers a custom query. */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/**
 * A pg "submittable": pg queues it like a query, calls `submit` when the connection is free,
 * and hands it the server's messages. The data goes out at once on CopyInResponse (the rows
 * are in memory already); a server error ends copy mode, and the data still on its way is
 * dropped by the server.
 */
class CopyFromQuery {
  readonly text: string;
  readonly #chunks: Buffer[];
  readonly #resolve: (result: pg.QueryResult) => void;
  readonly #reject: (error: unknown) => void;
  #rowCount = 0;
  #failed = false;

  constructor(text: string, chunks: Buffer[], resolve: (result: pg.QueryResult) => void, reject: (error: unknown) => void) {
    this.text = text;
    this.#chunks = chunks;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  submit(connection: CopyConnection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    for (const chunk of this.#chunks) connection.sendCopyFromChunk(chunk);
    connection.endCopyFrom();
  }

  handleCommandComplete(message: { text?: string }): void {
    const count = /^COPY (\d+)/.exec(message.text ?? "");
    if (count !== null) this.#rowCount = Number(count[1]);
  }

  handleError(error: unknown): void {
    this.#failed = true;
    this.#reject(error);
  }

  handleReadyForQuery(): void {
    if (!this.#failed) this.#resolve({ command: "COPY", rowCount: this.#rowCount, rows: [], fields: [], oid: 0 });
  }

  // Messages no COPY FROM receives; pg may call them on any query.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}
