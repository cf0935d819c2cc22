import { createRequire } from "node:module";
import { idFor } from "../harness.js";

/** What one load run saw. */
export interface LoadResult {
  readonly requestsPerSecond: number;
  /** 99th percentile latency, in milliseconds. */
  readonly p99Millis: number;
  readonly requests: number;
  /** Connection errors, timeouts and non-2xx answers: a valid run has none. */
  readonly failures: number;
}

interface AutocannonRequest {
  method: string;
  path: string;
}
interface AutocannonResult {
  duration: number;
  requests: { total: number };
  latency: { p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  pipelining: number;
  duration: number;
  requests: Array<{ method: string; setupRequest: (request: AutocannonRequest) => AutocannonRequest }>;
}) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

/**
 * Drives `GET /items/:id` at `url` from `connections` keep-alive connections for `seconds`
 * (autocannon: a closed loop, each connection sends its next request when the last one was
 * answered, so the load is bounded and the server is never flooded). Ids follow the main
 * bench's fixed pseudo-random order.
 */
export async function load(url: string, seconds: number, connections: number, rows: number): Promise<LoadResult> {
  let sequence = 0;
  const result = await autocannon({
    url,
    connections,
    pipelining: 1,
    duration: seconds,
    requests: [{ method: "GET", setupRequest: (request) => ({ ...request, path: `/items/${idFor(sequence++, rows)}` }) }],
  });
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p99Millis: result.latency.p99,
    requests: result.requests.total,
    failures: result.errors + result.timeouts + result.non2xx,
  };
}
