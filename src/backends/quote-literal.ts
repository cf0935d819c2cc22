/** Quotes a string as an SQL literal the standard way (PostgreSQL and SQLite agree). */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
