import cluster from "node:cluster";
import type { MessageRelay, RelayedMessage } from "../websocket/message-relay.js";

const KIND = "agent-platform:relay";

interface RelayEnvelope {
  readonly kind: typeof KIND;
  readonly relayed: RelayedMessage;
}

function isEnvelope(value: unknown): value is RelayEnvelope {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === KIND;
}

/**
 * A cluster worker's relay: messages go to the primary over the worker's IPC channel, and the
 * primary ({@link relayBetweenWorkers}) hands them to every other worker.
 *
 * @example
 * ```ts
 * buildApp({ sessions, relay: cluster.isWorker ? workerRelay() : undefined });
 * ```
 */
export function workerRelay(): MessageRelay {
  return {
    publish: (relayed) => {
      if (process.connected) process.send!({ kind: KIND, relayed } satisfies RelayEnvelope);
    },
    subscribe: (listener) => {
      const onMessage = (value: unknown) => {
        if (isEnvelope(value)) listener(value.relayed);
      };
      process.on("message", onMessage);
      return () => process.off("message", onMessage);
    },
  };
}

/**
 * The primary's half: every relayed message from one worker goes to all the others.
 *
 * @example
 * ```ts
 * cluster.on("message", relayBetweenWorkers);
 * ```
 */
export function relayBetweenWorkers(from: { readonly id: number }, value: unknown): void {
  if (!isEnvelope(value)) return;
  for (const worker of Object.values(cluster.workers ?? {})) {
    if (worker !== undefined && worker.id !== from.id && worker.isConnected()) worker.send(value);
  }
}
