import type pg from "pg";

/** A BEGIN sent in the same round trip as a transaction's first statement. */
export interface PipelinedBegin {
  /** `begin`, with the isolation level and access mode. */
  readonly sql: string;
  /** Called when the server confirms the BEGIN (before the statement's own result). */
  readonly began: () => void;
}

/** The parts of pg's wire connection a query writes to (pg's own `Query#prepare` uses them). */
interface WireConnection {
  parse(message: { text: string }): void;
  bind(message: Record<string, never>): void;
  execute(message: Record<string, never>): void;
}

/** What pg's `Query` does without declaring it in its types. */
interface QueryInternals {
  name?: string;
  queryMode?: string;
  callback?: (error: Error | undefined, result: pg.QueryResult) => void;
  prepare(connection: WireConnection): void;
  handleCommandComplete(message: unknown, connection: WireConnection): void;
}

type QueryConstructor = new (text: string, values: unknown[]) => QueryInternals;
type PipelinedConstructor = new (text: string, values: unknown[], begin: PipelinedBegin) => QueryInternals;

const pipelinedClasses = new WeakMap<object, PipelinedConstructor>();

/**
 * pg's Query with a BEGIN in front: `Parse/Bind/Execute (begin)` then the statement's own
 * `Parse/Bind/Describe/Execute`, all before one `Sync`, so the server answers both in one
 * round trip and one `ReadyForQuery`. If the statement fails, the BEGIN has run: the
 * transaction is open and aborted, as after a separate BEGIN. Made once per pg module.
 */
function pipelinedQueryClass(Query: typeof pg.Query): PipelinedConstructor {
  let Pipelined = pipelinedClasses.get(Query);
  if (Pipelined === undefined) {
    const Base = Query as unknown as QueryConstructor;
    Pipelined = class PipelinedBeginQuery extends Base {
      readonly #begin: PipelinedBegin;
      #begun = false;

      constructor(text: string, values: unknown[], begin: PipelinedBegin) {
        super(text, values);
        this.#begin = begin;
        this.queryMode = "extended";
      }

      override prepare(connection: WireConnection): void {
        connection.parse({ text: this.#begin.sql });
        connection.bind({});
        connection.execute({});
        super.prepare(connection);
      }

      override handleCommandComplete(message: unknown, connection: WireConnection): void {
        if (!this.#begun) {
          // The BEGIN's CommandComplete: not a result of the statement.
          this.#begun = true;
          this.#begin.began();
          return;
        }
        super.handleCommandComplete(message, connection);
      }
    };
    pipelinedClasses.set(Query, Pipelined);
  }
  return Pipelined;
}

/**
 * Runs `text` with the extended protocol as the prepared statement `name` (parsed the first
 * time this connection sees the name, only bound and executed after that), or unnamed when
 * `name` is undefined; with `begin`, preceded by that BEGIN in the same round trip.
 *
 * pg copies a `{ name, text, values }` config through its property descriptors on every
 * call, which leaves a slow dictionary-mode object (about 4 µs a statement, more than the
 * rest of the client's work); a Query made from the text and named afterwards skips the copy.
 */
export function queryNamed(
  client: pg.ClientBase,
  Query: typeof pg.Query,
  name: string | undefined,
  text: string,
  values: unknown[],
  begin?: PipelinedBegin,
): Promise<pg.QueryResult> {
  const query = begin === undefined ? new (Query as unknown as QueryConstructor)(text, values) : new (pipelinedQueryClass(Query))(text, values, begin);
  if (name !== undefined) query.name = name;
  return new Promise((resolve, reject) => {
    query.callback = (error, result) => (error ? reject(error) : resolve(result));
    client.query(query as unknown as pg.Query);
  });
}
