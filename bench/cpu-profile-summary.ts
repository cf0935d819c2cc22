import { relative } from "node:path";

/** The parts of a V8 `.cpuprofile` the summary reads. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly children?: readonly number[];
  }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Self time of one function (same name, file and line), in microseconds and as a share of the busy time. */
export interface FunctionTime {
  readonly name: string;
  readonly location: string;
  readonly selfMicros: number;
  readonly share: number;
}

export interface ProfileSummary {
  /** Sampled time, idle excluded: the process's CPU time as the profiler saw it. */
  readonly busyMicros: number;
  readonly idleMicros: number;
  /** Functions by self time, largest first. */
  readonly functions: readonly FunctionTime[];
  /** Self time by where the code lives: `src/pool`, `kysely`, `pg`, `node:internal`, `(garbage collector)`… */
  readonly areas: readonly { readonly area: string; readonly selfMicros: number; readonly share: number }[];
  /** With a focus pattern: the share of busy samples with a matching function anywhere on the stack. */
  readonly focus?: { readonly pattern: string; readonly inclusiveMicros: number; readonly share: number };
}

/**
 * Self and inclusive times from a CPU profile. `focus` (a regular expression over
 * `function file:line`) measures what a function costs with everything it calls, e.g.
 * `captureSite|CheckoutTracker` for the pool's checkout-stack capture.
 */
export function summariseProfile(profile: CpuProfile, root: string, focus?: string): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const label = (id: number): { name: string; location: string } => {
    const frame = byId.get(id)!.callFrame;
    const file = frame.url.startsWith("file://") ? relative(root, new URL(frame.url).pathname) : frame.url;
    return { name: frame.functionName || "(anonymous)", location: file === "" ? "" : `${file}:${frame.lineNumber + 1}` };
  };
  const pattern = focus === undefined ? undefined : new RegExp(focus);
  const focusHit = new Map<number, boolean>();
  const matches = (id: number): boolean => {
    let hit = focusHit.get(id);
    if (hit === undefined) {
      const { name, location } = label(id);
      const up = parent.get(id);
      hit = pattern!.test(`${name} ${location}`) || (up !== undefined && matches(up));
      focusHit.set(id, hit);
    }
    return hit;
  };
  const self = new Map<number, number>();
  let idle = 0;
  let busy = 0;
  let focused = 0;
  // timeDeltas[i] is the time before sample i; attribute it to the sample that ends it.
  for (let index = 0; index < profile.samples.length; index++) {
    const id = profile.samples[index]!;
    const micros = profile.timeDeltas[index + 1] ?? 0;
    if (byId.get(id)!.callFrame.functionName === "(idle)") {
      idle += micros;
      continue;
    }
    busy += micros;
    self.set(id, (self.get(id) ?? 0) + micros);
    if (pattern !== undefined && matches(id)) focused += micros;
  }
  const functions = new Map<string, { name: string; location: string; selfMicros: number }>();
  const areas = new Map<string, number>();
  for (const [id, micros] of self) {
    const { name, location } = label(id);
    const key = `${name}\u0000${location}`;
    const entry = functions.get(key) ?? { name, location, selfMicros: 0 };
    entry.selfMicros += micros;
    functions.set(key, entry);
    const area = areaOf(name, location);
    areas.set(area, (areas.get(area) ?? 0) + micros);
  }
  const share = (micros: number): number => (busy === 0 ? 0 : micros / busy);
  return {
    busyMicros: busy,
    idleMicros: idle,
    functions: [...functions.values()].sort((a, b) => b.selfMicros - a.selfMicros).map((entry) => ({ ...entry, share: share(entry.selfMicros) })),
    areas: [...areas].sort((a, b) => b[1] - a[1]).map(([area, selfMicros]) => ({ area, selfMicros, share: share(selfMicros) })),
    ...(focus === undefined ? {} : { focus: { pattern: focus, inclusiveMicros: focused, share: share(focused) } }),
  };
}

/** Where a function lives, for the by-area totals. */
function areaOf(name: string, location: string): string {
  if (location === "") return name.startsWith("(") ? name : "native";
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(location);
  if (inPackage !== null) return inPackage[1]!;
  if (location.startsWith("node:")) return "node:internal";
  const inSource = /^(src|bench)\/([^/:]+)/.exec(location);
  if (inSource !== null) return inSource[1] === "src" && !inSource[2]!.endsWith(".ts") ? `src/${inSource[2]}` : inSource[1]!;
  return location.split(":")[0]!;
}

export function formatProfileSummary(summary: ProfileSummary, top = 25): string {
  const percent = (share: number): string => `${(share * 100).toFixed(1).padStart(5)} %`;
  const lines = [`busy ${(summary.busyMicros / 1_000).toFixed(0)} ms sampled (idle ${(summary.idleMicros / 1_000).toFixed(0)} ms)`, "", "self time by function:"];
  for (const entry of summary.functions.slice(0, top)) lines.push(`  ${percent(entry.share)}  ${entry.name}  ${entry.location}`);
  lines.push("", "self time by area:");
  for (const entry of summary.areas.slice(0, 15)) lines.push(`  ${percent(entry.share)}  ${entry.area}`);
  if (summary.focus !== undefined) {
    lines.push("", `inclusive time of /${summary.focus.pattern}/: ${percent(summary.focus.share).trim()} of busy time`);
  }
  return lines.join("\n");
}
