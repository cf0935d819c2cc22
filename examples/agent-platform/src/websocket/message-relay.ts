/** A message stored in one process, to deliver to the WebSocket clients of every other process. */
export interface RelayedMessage {
  readonly conversationId: string;
  readonly message: unknown;
}

/**
 * Carries committed messages between the processes that serve one conversation's clients (the
 * workers of a cluster: each holds only its own sockets). `publish` sends to the others; each
 * process hears the others' through `subscribe`.
 */
export interface MessageRelay {
  publish(relayed: RelayedMessage): void;
  subscribe(listener: (relayed: RelayedMessage) => void): () => void;
}
