/** The parts of a PGlite instance Athanor uses (structurally `@electric-sql/pglite`'s `PGlite`). */
export interface PgliteInstance {
  readonly closed: boolean;
  isInTransaction(): boolean;
  /** Runs wire-protocol messages; answers with the backend's parsed messages. */
  execProtocolStream(message: Uint8Array, options: { throwOnError: boolean }): Promise<Array<{ readonly name: string }>>;
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
  exec(sql: string): Promise<unknown>;
  dumpDataDir(compression?: "none" | "gzip" | "auto"): Promise<Blob>;
  close(): Promise<void>;
}

/** Options of `PGlite.create` Athanor passes. */
export interface PgliteCreateOptions {
  dataDir?: string;
  extensions?: Record<string, unknown>;
  loadDataDir?: Blob;
  /** A compiled `WebAssembly.Module`. */
  pgliteWasmModule?: object;
  fsBundle?: Blob;
}

/** `@electric-sql/pglite` as Athanor loads it. */
export interface PgliteModule {
  readonly PGlite: { create(options: PgliteCreateOptions): Promise<PgliteInstance> };
}
