import { parseDatabaseUrl } from "athanor";
import { DEMO } from "./demo-fixtures.js";
import type { ServiceConfig } from "./service-config.js";

/**
 * What `npm start` prints once the service listens: where, on which database, and three
 * requests to try.
 *
 * @example
 * ```ts
 * process.stdout.write(banner("http://127.0.0.1:3000", config));
 * ```
 */
export function banner(url: string, config: ServiceConfig): string {
  const json = "-H 'content-type: application/json'";
  return [
    "",
    `Agent platform listening on ${url}`,
    `  database: ${parseDatabaseUrl(config.databaseUrl).toString()} · ${config.workers} worker(s) · scheduler ${config.schedulerEnabled ? "on" : "off"}`,
    "",
    "Try:",
    `  curl ${url}/api/squads/${DEMO.coreSquad}`,
    `  curl -X POST ${url}/api/users ${json} -d '{"email":"you@example.com","name":"You"}'`,
    `  curl -X POST ${url}/api/conversations/${DEMO.welcomeConversation}/memories/search ${json} -d '{"query":"when do we deploy?"}'`,
    "",
    `  WebSocket: ${url.replace(/^http/, "ws")}/ws/conversations/${DEMO.welcomeConversation}   health: ${url}/health/ready`,
    "  Stop with Ctrl+C (graceful: requests in flight finish, connections close).",
    "",
  ].join("\n");
}
