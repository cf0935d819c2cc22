import { timestamp } from "./column-builders.js";

/**
 * The timestamps mixin: `createdAt` set on insert, `updatedAt` set on insert and by every
 * `updateTable` made through an engine created with this schema (on both dialects).
 * Column names can be changed, e.g. `timestamps({ createdAt: "created_at", updatedAt: "updated_at" })`.
 *
 * @example
 * ```ts
 * table("users", { id: uuid().primaryKey().defaultRandom(), ...timestamps() });
 * ```
 */
export function timestamps<const C extends string = "createdAt", const U extends string = "updatedAt">(names?: { createdAt?: C; updatedAt?: U }) {
  const created = timestamp().notNull().defaultNow();
  const updated = timestamp().notNull().defaultNow().onUpdateNow();
  return {
    [names?.createdAt ?? "createdAt"]: created,
    [names?.updatedAt ?? "updatedAt"]: updated,
  } as { [K in C]: typeof created } & { [K in U]: typeof updated };
}
