import { createHash } from "node:crypto";

/** PostgreSQL keeps 63 bytes of a name and silently cuts the rest (NAMEDATALEN - 1). */
export const MAX_IDENTIFIER_BYTES = 63;

/**
 * A name Athanor derives (`<table>_<columns>_key`, `<table>_<column>_check`, …) that fits
 * PostgreSQL's 63-byte limit on every dialect, so the schema, the database and autogenerate
 * always agree. `<base>_<suffix>` as it is when it fits; otherwise the base cut at a
 * character boundary, then `_` and 8 hex digits of the full name's sha256, then `_<suffix>`,
 * 63 bytes in all: the same input always gives the same name, and two long names that share
 * a prefix still differ. Names the user gives are never changed (they are refused beyond 63
 * bytes, see `checkIdentifier`). Pure.
 *
 * @example
 * ```ts
 * fitIdentifier("users_email", "key"); // "users_email_key"
 * fitIdentifier("conversation_states_conversation_id_persona_id_module_id_state_key", "key");
 * // "conversation_states_conversation_id_persona_id_mod_4dd77024_key" (63 bytes)
 * ```
 */
export function fitIdentifier(base: string, suffix: string): string {
  const full = `${base}_${suffix}`;
  if (Buffer.byteLength(full, "utf8") <= MAX_IDENTIFIER_BYTES) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, 8);
  const tail = `_${hash}_${suffix}`;
  return `${cutUtf8(base, MAX_IDENTIFIER_BYTES - Buffer.byteLength(tail, "utf8"))}${tail}`;
}

/** The longest prefix of `text` within `bytes` UTF-8 bytes, never splitting a character. */
function cutUtf8(text: string, bytes: number): string {
  let used = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, "utf8");
    if (used + size > bytes) break;
    used += size;
    end += char.length;
  }
  return text.slice(0, end);
}
