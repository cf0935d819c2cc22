import { DummyDriver, Kysely, type DialectAdapter, type KyselyPlugin, type QueryCompiler } from "kysely";
import type { Backend } from "../backends/backend.js";
import { constraintErrorCompleter, type CompleteError } from "../schema/complete-constraint-error.js";
import type { Schema } from "../schema/define-schema.js";
import { SchemaPlugin } from "../schema/schema-plugin.js";
import { insertEncoders, type InsertEncoders } from "../session/insert-encoders.js";
import { InsertStatements } from "../session/insert-statements.js";
import { resultPlugins, type ResultPlugins } from "../session/session-executor.js";

/**
 * What an engine's Kyselys and sessions share and no connection changes: the dialect's query compiler and adapter, the schema plugin, the constraint-error completer,
 * and what sessions derive from the plugins. Made once per engine, and reused by every
 * session factory of the engine and every test sandbox opened on it (a sandbox's engine has
 * the real engine's dialect and schema), which would otherwise make them all again for each.
 * Not part of the public API, yet not marked internal: the published `Session` type
 * names it, and stripInternal would leave that reference dangling (stripInternal also strips
 * a declaration whose comment merely mentions the tag).
 */
export class EngineParts {
  /** Compiles every query of the engine: compiling is synchronous, so one compiler serves them all. */
  readonly queryCompiler: QueryCompiler;
  readonly adapter: DialectAdapter;
  /** The schema's plugin when the engine has a schema: the plugins of `engine.db` and of every session. */
  readonly plugins: readonly KyselyPlugin[];
  /** The plugins whose `transformResult` a session calls (see `resultPlugins`). */
  readonly resultPlugins: ResultPlugins;
  /** Fills in what a constraint error's database left out, from the schema (see `constraintErrorCompleter`). */
  readonly completeError: CompleteError;
  /** SQL of `insertMany`'s statements, cached per engine. */
  readonly insertStatements: InsertStatements;
  /** `insertMany`'s value encoders (the schema's value policy, when the engine has a schema). */
  readonly encoders: InsertEncoders;

  constructor(backend: Backend, schema: Schema | undefined) {
    this.queryCompiler = backend.createQueryCompiler();
    this.adapter = backend.createAdapter();
    this.plugins = Object.freeze(schema === undefined ? [] : [new SchemaPlugin(schema, backend.typeMapping)]);
    this.resultPlugins = resultPlugins(this.plugins);
    // The probes constraint errors may need are compiled by a Kysely that never connects.
    const compiling = new Kysely<any>({
      dialect: {
        createQueryCompiler: () => this.queryCompiler,
        createAdapter: () => this.adapter,
        createIntrospector: (db) => backend.createIntrospector(db),
        createDriver: () => new DummyDriver(),
      },
    });
    this.completeError = constraintErrorCompleter(schema, compiling);
    this.insertStatements = new InsertStatements(backend.dialect);
    this.encoders = insertEncoders(this.plugins);
    Object.freeze(this);
  }
}
