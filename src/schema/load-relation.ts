import { sql, type ExpressionBuilder, type OperationNode, type RawBuilder, type Selectable, type SelectQueryBuilder } from "kysely";
import { ConfigurationError } from "../errors.js";
import type { Relation } from "./relations.js";
import type { AnyTable } from "./table.js";

/**
 * A relation to load, as it travels inside a query until the engine's schema plugin turns it
 * into the dialect's JSON aggregation. Sent anywhere else it refuses, naming the fix.
 */
export class RelationMarker {
  readonly relation: Relation;
  /** The correlated subquery selecting the related rows. */
  readonly query: OperationNode;

  constructor(relation: Relation, query: OperationNode) {
    this.relation = relation;
    this.query = query;
  }

  #misplaced(): ConfigurationError {
    return new ConfigurationError(
      `loadMany()/loadOne() of "${this.relation.target.$name}" must be a selection of the outermost query or of another loaded relation, on an engine created with createEngine(url, { schema })`,
    );
  }

  toPostgres(): never {
    throw this.#misplaced();
  }

  toJSON(): never {
    throw this.#misplaced();
  }
}

type TargetName<T extends AnyTable> = T["$name"];
/** What a refined subquery selects, or the whole row when it selects nothing itself. */
type Loaded<DB, T extends AnyTable, O> = keyof O extends never ? Selectable<DB[TargetName<T> & keyof DB]> : O;
type Refine<DB, TB extends keyof DB, T extends AnyTable, O> = (query: SelectQueryBuilder<DB, TB | (TargetName<T> & keyof DB), {}>) => SelectQueryBuilder<DB, any, O>;

/**
 * The related rows of a one-to-many or many-to-many relation, as an array column of the
 * query, loaded in the same statement (JSON aggregation on every dialect: no second query,
 * no N+1). `refine` may filter, order, limit and select (`(q) => q.where(…).orderBy(…).limit(10)`);
 * without a selection the whole row is loaded. Values are read back as the schema declares
 * them at every depth (Dates, booleans, bigints, JSON…), and relations nest.
 *
 * @example
 * ```ts
 * const squads = await db
 *   .selectFrom("squads")
 *   .selectAll()
 *   .select((eb) => [loadMany(eb, squadMembersOf, (q) => q.orderBy("createdAt").limit(10)).as("members")])
 *   .execute(); // [{ id, name, …, members: [{ squadId, userId, role, createdAt, … }] }]
 * ```
 */
export function loadMany<DB, TB extends keyof DB, T extends AnyTable, O = {}>(
  eb: ExpressionBuilder<DB, TB>,
  relation: Relation<AnyTable, T, "many">,
  refine?: Refine<DB, TB, T, O>,
): RawBuilder<Array<Loaded<DB, T, O>>> {
  return marker(eb, relation, refine);
}

/**
 * The related row of a many-to-one or one-to-one relation (null when there is none), loaded
 * in the same statement as {@link loadMany} loads arrays.
 *
 * @example
 * ```ts
 * db.selectFrom("squads").selectAll().select((eb) => [loadOne(eb, squadOwner, (q) => q.select(["id", "name"])).as("owner")])
 * ```
 */
export function loadOne<DB, TB extends keyof DB, T extends AnyTable, O = {}>(
  eb: ExpressionBuilder<DB, TB>,
  relation: Relation<AnyTable, T, "one">,
  refine?: Refine<DB, TB, T, O>,
): RawBuilder<Loaded<DB, T, O> | null> {
  return marker(eb, relation, refine);
}

function marker<DB, TB extends keyof DB, T extends AnyTable, O, R>(eb: ExpressionBuilder<DB, TB>, relation: Relation<AnyTable, T, "many" | "one">, refine: Refine<DB, TB, T, O> | undefined): RawBuilder<R> {
  const source = relation.source.$name;
  const target = relation.target.$name;
  let query = (eb as unknown as ExpressionBuilder<any, any>).selectFrom(target);
  const through = relation.through;
  if (through === undefined) {
    for (const { from, to } of relation.on) query = query.whereRef(`${target}.${to}`, "=", `${source}.${from}`);
  } else {
    const join = through.table.$name;
    query = query.innerJoin(join, (on) => through.target.reduce((clause, { from, to }) => clause.onRef(`${join}.${from}`, "=", `${target}.${to}`), on));
    for (const { from, to } of through.source) query = query.whereRef(`${join}.${to}`, "=", `${source}.${from}`);
  }
  const refined = refine === undefined ? query : (refine(query as never) as unknown as typeof query);
  return sql<R>`${new RelationMarker(relation, refined.toOperationNode())}`;
}
