import { createHash } from "node:crypto";

/** sha256 (hex) of a revision file's text, with line endings normalised so a checkout on Windows matches. */
export function revisionChecksum(text: string): string {
  return createHash("sha256").update(text.replace(/\r\n?/g, "\n")).digest("hex");
}
