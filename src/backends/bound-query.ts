import type { CompiledQuery, QueryId, RootOperationNode } from "kysely";

/**
 * A compiled query bound to one run's parameters (what `prepareQuery` executes). It reads as
 * any `CompiledQuery`, and keeps the compiled query it was bound from: that object lives as
 * long as the prepared query, so a backend can key what it prepared for the statement by its
 * identity instead of looking the SQL text up on every run.
 *
 * @example
 * ```ts
 * const bound = new BoundQuery(prepared.compiled, [42]);
 * bound.sql === prepared.compiled.sql; // true
 * statements.get(bound.template); // a backend's WeakMap, keyed per compiled query
 * ```
 */
export class BoundQuery<O = unknown> implements CompiledQuery<O> {
  readonly query: RootOperationNode;
  readonly queryId: QueryId;
  readonly sql: string;
  readonly parameters: readonly unknown[];
  /** The compiled query these parameters were bound to. */
  readonly template: CompiledQuery<O>;
  /** Only the first row is read (`executeTakeFirst`): a backend may stop a SELECT after it. */
  readonly firstRowOnly: boolean;

  constructor(template: CompiledQuery<O>, parameters: readonly unknown[], firstRowOnly = false) {
    this.query = template.query;
    this.queryId = template.queryId;
    this.sql = template.sql;
    this.parameters = parameters;
    this.template = template;
    this.firstRowOnly = firstRowOnly;
  }
}
