import type { LegacyMigration } from "./legacy-migrations.js";
import { singleLine } from "./single-line.js";

/**
 * The revision id a legacy file gets when adopted: `legacy_` and its number as written
 * (`007_add_conversation_memory.sql` → `legacy_007`). Deterministic, so adopting the same
 * folder again finds what it wrote.
 *
 * @example
 * ```ts
 * adoptedRevisionId({ file: "007_add_conversation_memory.sql", number: "007", name: "add_conversation_memory", text: "" }); // "legacy_007"
 * ```
 */
export function adoptedRevisionId(legacy: LegacyMigration): string {
  return `legacy_${legacy.number}`;
}

/**
 * The `.sql` revision an adopted legacy file becomes: the `-- athanor:` header block, then
 * the legacy file's text unchanged as the up section (its comments, and its own `BEGIN;` /
 * `COMMIT;`, which the migrator handles). No down section: legacy files have none, so the
 * revision cannot be downgraded until someone writes one. Pure.
 *
 * @example
 * ```ts
 * adoptedRevisionText(legacy, "legacy_006");
 * // -- athanor:revision legacy_007
 * // -- athanor:down-revision legacy_006
 * // -- athanor:message add conversation memory
 * // -- Adopted by athanor adopt from 007_add_conversation_memory.sql; its text follows unchanged.
 * // -- athanor:up
 * // …
 * ```
 */
export function adoptedRevisionText(legacy: LegacyMigration, downRevision: string | null): string {
  const message = singleLine(legacy.name.replace(/[_-]+/g, " ")).trim();
  return [
    `-- athanor:revision ${adoptedRevisionId(legacy)}`,
    `-- athanor:down-revision ${downRevision ?? "none"}`,
    ...(message === "" ? [] : [`-- athanor:message ${message}`]),
    `-- Adopted by athanor adopt from ${singleLine(legacy.file)}; its text follows unchanged.`,
    "-- athanor:up",
    legacy.text.replace(/^\uFEFF/, ""),
  ].join("\n");
}
