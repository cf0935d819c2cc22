import type { PgliteInstance, PgliteNodePostgresModule } from "./pglite-driver.js";

/** pg-protocol's message serializer (a dependency of pg). */
export interface PgProtocol {
  readonly serialize: { bind(config: unknown): unknown };
}

/**
 * PGlite's wire connection for pg, with a bind that cannot poison the next message. pg maps
 * parameter values while it serialises a Bind; a value it cannot send (a BigInt inside JSON)
 * throws half-way, leaving a partial message in the serializer's shared buffer, which the next
 * message then carries ("invalid message format"). On a socket pg's own serializer is the one
 * that fails; PGlite's connection has a bundled copy. So the values are first serialised with
 * pg's copy: a value that cannot be sent throws there, before PGlite's buffer is touched.
 */
export function createPgliteWireConnection(module: PgliteNodePostgresModule, protocol: PgProtocol, pglite: PgliteInstance): object {
  const connection = new module.PglitePgConnection({ pglite }) as { bind(config: unknown): void };
  const bind = connection.bind.bind(connection);
  connection.bind = (config: unknown) => {
    protocol.serialize.bind(config);
    bind(config);
  };
  return connection;
}
