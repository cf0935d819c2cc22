import { createHash } from "node:crypto";

/**
 * sha256 (hex) of a revision file's text, with CRLF and CR read as LF so a checkout on Windows
 * matches: what runs does not depend on them either (the `.sql` parser and JavaScript template
 * literals read them as LF). Any other change, whitespace included, changes the checksum.
 *
 * @example
 * ```ts
 * revisionChecksum("a\r\nb") === revisionChecksum("a\nb"); // true
 * ```
 */
export function revisionChecksum(text: string): string {
  return createHash("sha256").update(text.replace(/\r\n?/g, "\n")).digest("hex");
}
