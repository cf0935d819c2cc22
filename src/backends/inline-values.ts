import type { DefaultQueryCompiler } from "kysely";
import { NotSupportedError } from "../errors.js";

type CompilerClass = abstract new (...args: any[]) => DefaultQueryCompiler;

// psql and sqlite3 read a script line by line as C strings: a NUL ends the line there (and
// can leave a quote open); a lone surrogate has no UTF-8 form, so the file would hold U+FFFD.
const UNWRITABLE = /\u0000|\p{Surrogate}/u;

/** How {@link inlineValues} writes a carriage return inside a string literal. */
export type CarriageReturns = "verbatim" | "char(13)";

/**
 * A compiler that writes every value as a literal instead of a bound parameter, for SQL
 * meant to be read or run elsewhere (`athanor upgrade --sql`). Objects and arrays become
 * JSON text, like the SQLite backend binds them. A string no script file can carry verbatim
 * (one holding U+0000 or a lone surrogate) is refused with `NotSupportedError`. With
 * `"char(13)"`, a string holding CR is written `('a' || char(13) || 'b')`: the sqlite3 shell
 * reads CR LF inside a literal as LF.
 */
export function inlineValues<T extends CompilerClass>(Base: T, carriageReturns: CarriageReturns = "verbatim"): T {
  abstract class InlineValuesCompiler extends Base {
    protected override appendValue(value: unknown): void {
      if (value !== null && typeof value === "object" && !(value instanceof Date)) {
        this.appendImmediateValue(JSON.stringify(value));
      } else if (value === undefined) {
        this.appendImmediateValue(null);
      } else {
        this.appendImmediateValue(value);
      }
    }

    protected override appendStringLiteral(value: string): void {
      const bad = UNWRITABLE.exec(value)?.[0];
      if (bad !== undefined) {
        const what = bad === "\u0000" ? "U+0000 (NUL)" : `a lone surrogate (U+${bad.charCodeAt(0).toString(16).toUpperCase()})`;
        throw new NotSupportedError(`a value holding ${what} cannot be written into an SQL script; run this migration against the database instead`);
      }
      if (carriageReturns === "verbatim" || !value.includes("\r")) {
        super.appendStringLiteral(value);
        return;
      }
      this.append("(");
      value.split("\r").forEach((part, index) => {
        if (index > 0) this.append(" || char(13) || ");
        super.appendStringLiteral(part);
      });
      this.append(")");
    }
  }
  return InlineValuesCompiler;
}
