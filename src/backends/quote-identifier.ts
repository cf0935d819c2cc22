/** Quotes an identifier the SQL-standard way (PostgreSQL and SQLite agree). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
