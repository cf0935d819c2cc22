import { AthanorError } from "../errors.js";
import { scrubUrls } from "../engine/database-url.js";

/** The database's own explanation of an error, found on it or on its causes (PostgreSQL's `detail` and `hint`). */
export interface ErrorExplanation {
  readonly detail?: string;
  readonly hint?: string;
}

/**
 * PostgreSQL often says what is wrong only in the error's `detail` or `hint` ("Key columns
 * "owner_id" and "id" are of incompatible types: character varying and uuid."), which the
 * message leaves out. Looks on the error and its causes, and scrubs URLs from what it finds.
 */
export function errorExplanation(error: unknown): ErrorExplanation {
  let detail: string | undefined;
  let hint: string | undefined;
  const seen = new Set<unknown>();
  for (let current = error; typeof current === "object" && current !== null && !seen.has(current); current = (current as { cause?: unknown }).cause) {
    seen.add(current);
    const fields = current as { detail?: unknown; hint?: unknown };
    if (detail === undefined && typeof fields.detail === "string" && fields.detail.trim() !== "") detail = scrubUrls(fields.detail);
    if (hint === undefined && typeof fields.hint === "string" && fields.hint.trim() !== "") hint = scrubUrls(fields.hint);
  }
  return { ...(detail === undefined ? {} : { detail }), ...(hint === undefined ? {} : { hint }) };
}

/** An error as the CLI prints it in JSON: code, message, and the database's detail and hint when it gave them. */
export function errorJson(error: unknown): { code: string; message: string; detail?: string; hint?: string } {
  const code = error instanceof AthanorError ? error.code : "UNEXPECTED";
  const message = scrubUrls((error as Error | undefined)?.message ?? String(error));
  return { code, message, ...errorExplanation(error) };
}

/** An error as the CLI prints it on a terminal: `error: CODE: message`, then `  detail: …` and `  hint: …` lines. */
export function errorLines(error: unknown): string[] {
  const { code, message, detail, hint } = errorJson(error);
  return [`error: ${code}: ${message}`, ...(detail === undefined ? [] : [`  detail: ${detail}`]), ...(hint === undefined ? [] : [`  hint: ${hint}`])];
}

/** The stack for `--verbose`, URLs scrubbed; undefined when there is none. */
export function errorStack(error: unknown): string | undefined {
  return error instanceof Error && error.stack ? scrubUrls(error.stack) : undefined;
}
