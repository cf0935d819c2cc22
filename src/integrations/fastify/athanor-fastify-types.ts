import type { Session } from "../../session/session.js";
import type { AthanorHandle } from "./athanor-handle.js";
import type { AthanorRouteConfig } from "./route-settings.js";

/**
 * Where an application registers its database type, once, for `request.db` and
 * `app.athanor` to be typed by it everywhere (a Fastify augmentation cannot take a type
 * parameter, so the type comes from this registry). Without it they are typed `any`.
 *
 * @example
 * ```ts
 * // database.ts
 * export const schema = defineSchema({ users, agents });
 * export type DB = InferDatabase<typeof schema>;
 * declare module "athanor/fastify" {
 *   interface AthanorFastifyTypes {
 *     database: DB;
 *   }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface AthanorFastifyTypes {}

/** The registered database type, or `any` when none is registered. */
export type RegisteredDatabase = AthanorFastifyTypes extends { database: infer DB } ? DB : any;

declare module "fastify" {
  interface FastifyRequest {
    /**
     * The request's session: a Kysely you can commit, typed by the registered database. Opened
     * on first use (a request that never reads it takes no connection and runs no BEGIN);
     * committed before the response is sent when the status is below 400, rolled back
     * otherwise (and when the handler throws or the client leaves); always closed.
     */
    readonly db: Session<RegisteredDatabase>;
  }
  interface FastifyInstance {
    /** The plugin's engine and session factory (see {@link AthanorHandle}). */
    readonly athanor: AthanorHandle<RegisteredDatabase>;
  }
  interface FastifyContextConfig {
    /** How this route uses the database (see {@link AthanorRouteConfig}). */
    readonly athanor?: AthanorRouteConfig;
  }
}
