import type { DefaultQueryCompiler } from "kysely";

type CompilerClass = abstract new (...args: any[]) => DefaultQueryCompiler;

/**
 * A compiler that writes every value as a literal instead of a bound parameter, for SQL
 * meant to be read or run elsewhere (`athanor upgrade --sql`). Objects and arrays become
 * JSON text, like the SQLite backend binds them.
 */
export function inlineValues<T extends CompilerClass>(Base: T): T {
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
  }
  return InlineValuesCompiler;
}
