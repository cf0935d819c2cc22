/**
 * What the revision graph needs to know about a revision: its id and the revisions it
 * builds on. Script files add the rest (`up`, `down`, SQL text, checksum); the graph
 * carries each record through untouched, so plans hand back the caller's own objects.
 *
 * @example
 * ```ts
 * const revisions: Revision[] = [
 *   { revision: "a1b2c3d4e5f6", downRevision: null, message: "create users" },
 *   { revision: "b2c3d4e5f6a1", downRevision: "a1b2c3d4e5f6", message: "add agents" },
 *   { revision: "c3d4e5f6a1b2", downRevision: "a1b2c3d4e5f6", message: "add personas" },
 *   { revision: "d4e5f6a1b2c3", downRevision: ["b2c3d4e5f6a1", "c3d4e5f6a1b2"], message: "merge heads" },
 * ];
 * const graph = buildRevisionGraph(revisions);
 * ```
 */
export interface Revision {
  /** Unique id: ASCII letters, digits and `_` (so `<rev>+N` parses); never `head`, `heads` or `base`. */
  readonly revision: string;
  /** The revision this one follows; a list of several for a merge revision; `null` for a base. */
  readonly downRevision: string | readonly string[] | null;
  /** One line saying what the revision does. */
  readonly message?: string | undefined;
}
