import { SchemaDefinitionError } from "../errors.js";
import type { AnyColumnRef } from "./column-ref.js";
import type { AnyTable } from "./table.js";
import type { ForeignKeyDefinition } from "./table-definition.js";

/** Pairs of columns that join two tables: `to.column = from.column`. */
export type JoinColumns = ReadonlyArray<{ readonly from: string; readonly to: string }>;

/**
 * A relation declared between two tables of a schema: `many` rows or `one` row of `target`
 * for each row of `source`. Load it in a query with `loadMany()` / `loadOne()`.
 */
export interface Relation<TSource extends AnyTable = AnyTable, TTarget extends AnyTable = AnyTable, TKind extends "many" | "one" = "many" | "one"> {
  readonly kind: TKind;
  readonly source: TSource;
  readonly target: TTarget;
  /** Without a join table: `target.to = source.from` for each pair. */
  readonly on: JoinColumns;
  /** Many-to-many: the join table, joined to the source (`through.to = source.from`) and to the target (`target.to = through.from`). */
  readonly through?: { readonly table: AnyTable; readonly source: JoinColumns; readonly target: JoinColumns };
}

/**
 * One-to-many: the rows of `target` whose foreign key references `source`. The foreign key is
 * found among `target`'s `references()`; name it when there are several.
 *
 * @example
 * ```ts
 * export const squadMembersOf = hasMany(squads, squadMembers); // squad_members.squadId → squads.id
 * ```
 */
export function hasMany<S extends AnyTable, T extends AnyTable>(source: S, target: T, options: { readonly foreignKey?: AnyColumnRef } = {}): Relation<S, T, "many"> {
  const foreignKey = foreignKeyBetween(target, source, options.foreignKey, "hasMany");
  return freeze({ kind: "many", source, target, on: pairs(foreignKey, (column, i) => ({ from: foreignKey.target().columns[i]!, to: column })) });
}

/**
 * One-to-one from the referenced side: the one row of `target` whose foreign key references
 * `source` (null when there is none).
 *
 * @example
 * ```ts
 * export const userProfile = hasOne(users, profiles); // profiles.userId → users.id
 * ```
 */
export function hasOne<S extends AnyTable, T extends AnyTable>(source: S, target: T, options: { readonly foreignKey?: AnyColumnRef } = {}): Relation<S, T, "one"> {
  return freeze({ ...hasMany(source, target, options), kind: "one" });
}

/**
 * Many-to-one: the row of `target` that `source`'s foreign key references.
 *
 * @example
 * ```ts
 * export const squadOwner = belongsTo(squads, users); // squads.userId → users.id
 * ```
 */
export function belongsTo<S extends AnyTable, T extends AnyTable>(source: S, target: T, options: { readonly foreignKey?: AnyColumnRef } = {}): Relation<S, T, "one"> {
  const foreignKey = foreignKeyBetween(source, target, options.foreignKey, "belongsTo");
  return freeze({ kind: "one", source, target, on: pairs(foreignKey, (column, i) => ({ from: column, to: foreignKey.target().columns[i]! })) });
}

/**
 * Many-to-many through a join table that references both sides.
 *
 * @example
 * ```ts
 * export const squadUsers = manyToMany(squads, users, { through: squadMembers });
 * ```
 */
export function manyToMany<S extends AnyTable, T extends AnyTable>(source: S, target: T, options: { readonly through: AnyTable }): Relation<S, T, "many"> {
  const toSource = foreignKeyBetween(options.through, source, undefined, "manyToMany");
  const toTarget = foreignKeyBetween(options.through, target, undefined, "manyToMany");
  return freeze({
    kind: "many",
    source,
    target,
    on: [],
    through: {
      table: options.through,
      source: pairs(toSource, (column, i) => ({ from: toSource.target().columns[i]!, to: column })),
      target: pairs(toTarget, (column, i) => ({ from: column, to: toTarget.target().columns[i]! })),
    },
  });
}

/** The foreign key of `from` that references `to`: the one named, or the only one. */
function foreignKeyBetween(from: AnyTable, to: AnyTable, named: AnyColumnRef | undefined, helper: string): ForeignKeyDefinition {
  const candidates = from.$definition.foreignKeys.filter((foreignKey) => foreignKey.target().table === to.$name);
  const chosen = named === undefined ? candidates : candidates.filter((foreignKey) => foreignKey.columns.length === 1 && foreignKey.columns[0] === named.name && named.table === from.$name);
  if (chosen.length === 1) return chosen[0]!;
  const where = `${helper}(): table "${from.$name}"`;
  if (named !== undefined) throw new SchemaDefinitionError(`${where} has no foreign key on "${named.table}.${named.name}" referencing "${to.$name}"`);
  if (candidates.length === 0) throw new SchemaDefinitionError(`${where} has no foreign key referencing "${to.$name}" (declare one with references())`);
  throw new SchemaDefinitionError(`${where} has ${candidates.length} foreign keys referencing "${to.$name}" (${candidates.map((candidate) => candidate.columns.join(", ")).join("; ")}): name one with { foreignKey }`);
}

function pairs(foreignKey: ForeignKeyDefinition, pair: (column: string, i: number) => { from: string; to: string }): JoinColumns {
  return Object.freeze(foreignKey.columns.map((column, i) => Object.freeze(pair(column, i))));
}

function freeze<R extends Relation>(relation: R): R {
  return Object.freeze(relation);
}
