/** The workers' pools could take more connections than the PostgreSQL server allows. */
export class ConnectionBudgetError extends Error {
  override readonly name = "ConnectionBudgetError";
}
