const COLORS = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;

/** Where the CLI writes: plain lines, colours only on a TTY (and not with NO_COLOR), or JSON. */
export class CliOutput {
  readonly #out: NodeJS.WritableStream;
  readonly #err: NodeJS.WritableStream;
  readonly #colors: boolean;

  constructor(out: NodeJS.WritableStream & { isTTY?: boolean }, err: NodeJS.WritableStream) {
    this.#out = out;
    this.#err = err;
    this.#colors = out.isTTY === true && process.env.NO_COLOR === undefined;
  }

  line(text = ""): void {
    this.#out.write(`${text}\n`);
  }

  /** Writes without ending the line (progress that a later `line()` finishes). */
  write(text: string): void {
    this.#out.write(text);
  }

  /** Writes JSON; durations (`…Millis`) rounded to a tenth of a millisecond. */
  json(value: unknown): void {
    this.#out.write(`${JSON.stringify(value, roundDurations, 2)}\n`);
  }

  error(text: string): void {
    this.#err.write(`${text}\n`);
  }

  paint(color: keyof typeof COLORS, text: string): string {
    return this.#colors ? `\u001b[${COLORS[color]}m${text}\u001b[0m` : text;
  }
}

function roundDurations(key: string, value: unknown): unknown {
  return typeof value === "number" && key.endsWith("Millis") ? Math.round(value * 10) / 10 : value;
}
