import websocket from "@fastify/websocket";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import type { Engine, SessionFactory } from "athanor";
import { athanorPlugin } from "athanor/fastify";
import type { RevisionScript } from "athanor/migrate";
import { MIGRATIONS_DIRECTORY } from "./database/migrations-directory.js";
import { agentRoutes } from "./routes/agent-routes.js";
import { conversationRoutes } from "./routes/conversation-routes.js";
import { memoryRoutes } from "./routes/memory-routes.js";
import { messageRoutes } from "./routes/message-routes.js";
import { moduleRoutes } from "./routes/module-routes.js";
import { personaRoutes } from "./routes/persona-routes.js";
import { squadRoutes } from "./routes/squad-routes.js";
import { statsRoutes } from "./routes/stats-routes.js";
import { userRoutes } from "./routes/user-routes.js";
import type { DB } from "./schema.js";
import { embedText, type Embedder } from "./services/embed-text.js";
import { conversationSocket } from "./websocket/conversation-socket.js";
import type { MessageRelay } from "./websocket/message-relay.js";

/** Work that runs beside requests and must pause while the development reset recreates the tables. */
export interface BackgroundWork {
  pause(): Promise<unknown>;
  resume(): void;
}

/** What the app is built from: production passes the service's database, tests a sandbox's. */
export interface AppOptions {
  /** The session factory request sessions, WebSocket messages and services use. */
  readonly sessions: SessionFactory<DB>;
  /** Its engine (optional: the factory's is used). */
  readonly engine?: Engine<DB>;
  /** Memory embeddings (an embedding API in production). Default: the offline hashing embedder. */
  readonly embedder?: Embedder;
  /** Fastify's logger. Default off. */
  readonly logger?: FastifyServerOptions["logger"];
  /** Readiness requires the database at these migrations' head (a folder or its scripts). Default the service's folder; `false`: not checked. */
  readonly migrations?: string | readonly RevisionScript[] | false;
  /** Background work (the scheduler) paused while `POST /admin/reset-database` runs. */
  readonly background?: BackgroundWork;
  /** How long `app.close()` waits for request sessions before rolling them back. Default 10 000. */
  readonly closeTimeoutMillis?: number;
  /** Carries WebSocket messages to the clients of other processes (a cluster's workers). */
  readonly relay?: MessageRelay;
}

const RESET_PATH = "/admin/reset-database";

/**
 * The agent platform's HTTP and WebSocket app (Fastify 5 + athanor/fastify), built from its
 * database so tests build it from a sandbox (seed 001: dependency injection, no monkey-patching).
 * Routes live under `/api`; `GET /health` and `GET /health/ready` report liveness and
 * readiness; `POST /admin/reset-database` drops and recreates the tables when
 * `ENVIRONMENT=development` (403 otherwise); `GET /ws/conversations/:id` is the WebSocket.
 *
 * @example
 * ```ts
 * const app = buildApp({ sessions: createDatabase(config).sessions, logger: true });
 * await app.listen({ port: 3000 });
 * ```
 */
export function buildApp(options: AppOptions): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false });
  const migrations = options.migrations ?? MIGRATIONS_DIRECTORY;
  app.register(athanorPlugin, {
    sessions: options.sessions,
    ...(options.engine === undefined ? {} : { engine: options.engine }),
    errors: { statusCodes: { UNIQUE_VIOLATION: 400 } }, // seed 002: a duplicate email is a 400
    health: migrations === false ? true : { migrations },
    // The reset route waits for request sessions; the scheduler's own sessions are quiesced around it.
    reset: options.background === undefined ? { path: RESET_PATH } : { path: RESET_PATH, beforeReset: () => options.background!.pause(), afterReset: () => options.background!.resume() },
    ...(options.closeTimeoutMillis === undefined ? {} : { closeTimeoutMillis: options.closeTimeoutMillis }),
  });
  app.register(websocket);
  app.register(
    async (api) => {
      await api.register(userRoutes);
      await api.register(squadRoutes);
      await api.register(agentRoutes);
      await api.register(statsRoutes);
      await api.register(personaRoutes);
      await api.register(moduleRoutes);
      await api.register(conversationRoutes);
      await api.register(messageRoutes);
      await api.register(memoryRoutes, { embedder: options.embedder ?? embedText });
    },
    { prefix: "/api" },
  );
  app.register(conversationSocket, { relay: options.relay });
  return app;
}
