import { createHash } from "node:crypto";
import { EMBEDDING_DIMENSIONS } from "../schema.js";

/** Turns text into an embedding; the service takes one by injection (an embedding API in production). */
export type Embedder = (text: string) => number[];

/**
 * A stand-in for an embedding model, good enough to search a demo's memories by words:
 * every word and every three-letter piece of one is hashed to one of the 1,536 dimensions
 * (the "hashing trick"), and the vector is normalised, so texts sharing words, or parts of
 * words ("deploy", "deploys"), are near in cosine distance. Deterministic, offline.
 *
 * @example
 * ```ts
 * embedText("deploy on friday"); // number[1536], unit length
 * ```
 */
export const embedText: Embedder = (text) => {
  const vector = new Array<number>(EMBEDDING_DIMENSIONS).fill(0);
  const add = (feature: string, weight: number) => {
    const digest = createHash("sha1").update(feature).digest();
    vector[digest.readUInt32BE(0) % EMBEDDING_DIMENSIONS]! += digest[4]! & 1 ? weight : -weight;
  };
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    add(word, 2);
    const padded = `^${word}$`;
    for (let i = 0; i + 3 <= padded.length; i++) add(padded.slice(i, i + 3), 1);
  }
  const norm = Math.hypot(...vector);
  return norm === 0 ? vector : vector.map((value) => value / norm);
};
