/** Rows and a query vector shared by the vector suites, with the reference ranking they must produce on every storage. */

// Deterministic pseudo-random embeddings (with a duplicate, to exercise the primary-key tie-break).
function embeddings(): number[][] {
  let state = 12345;
  const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const rows = Array.from({ length: 40 }, () => [next(), next(), next(), next()]);
  rows.push([...rows[3]!]);
  return rows;
}

export const ROWS = embeddings().map((embedding, i) => ({ id: i + 1, topic: i % 2 === 0 ? "even" : "odd", embedding }));
export const QUERY = [0.3, -0.2, 0.9, 0.1];

/** The reference ranking (ids, nearest first), computed here in float32 inputs and double arithmetic. */
export function reference(metric: "cosine" | "l2", rows = ROWS): number[] {
  const f = (v: number[]) => v.map(Math.fround);
  const q = f(QUERY);
  const distance = (v: number[]) => {
    const x = f(v);
    if (metric === "l2") return Math.sqrt(x.reduce((s, xi, i) => s + (xi - q[i]!) ** 2, 0));
    const dot = x.reduce((s, xi, i) => s + xi * q[i]!, 0);
    return 1 - dot / (Math.sqrt(x.reduce((s, xi) => s + xi * xi, 0)) * Math.sqrt(q.reduce((s, qi) => s + qi * qi, 0)));
  };
  return [...rows].sort((a, b) => distance(a.embedding) - distance(b.embedding) || a.id - b.id).map((row) => row.id);
}
