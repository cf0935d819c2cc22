import { createHash } from "node:crypto";

/**
 * The checksum recorded for an applied revision, to detect a revision edited after it
 * ran: `sha256:` and the hex SHA-256 of the normalised text. Normalising drops what
 * editors and Git change without changing the SQL: a byte-order mark, CRLF or CR line
 * endings, whitespace at the end of lines, and blank lines at the end of the file.
 *
 * @example
 * ```ts
 * revisionChecksum("-- up\r\nCREATE TABLE t (id int);\r\n") === revisionChecksum("-- up\nCREATE TABLE t (id int);");
 * // true
 * revisionChecksum("SELECT 1"); // "sha256:…" (71 characters)
 * ```
 */
export function revisionChecksum(content: string): string {
  const normalised = content
    .replace(/^\uFEFF/, "")
    .replace(/\r\n?/g, "\n")
    .replace(/[ \t\f\v]+$/gm, "")
    .replace(/\n+$/, "");
  return `sha256:${createHash("sha256").update(normalised, "utf8").digest("hex")}`;
}
