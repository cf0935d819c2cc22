import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { inspect } from "node:util";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../src/cli/main.js";
import { maskUrlText, revealPassword, scrubUrls } from "../src/engine/database-url.js";
import { ConfigurationError, createEngine, parseDatabaseUrl } from "../src/index.js";
import { fuzzOptions } from "./support/fuzz-runs.js";
import { hostileText } from "./support/hostile-text.js";

/** Passwords are Greek, and nothing else in a generated URL is: a leak shows as a Greek letter or its UTF-8 escape. */
const GREEK = "αβγδεζηθικλμνξοπρστυφχψω";
const LEAK = /[\u0391-\u03c9]|%c[ef]/i;

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

const ISSUE_INPUTS = ["postgres:u:ΣΕΚΡΕΤ@h/db", "postgres//u:ΣΕΚΡΕΤ@h/db", "u:ΣΕΚΡΕΤ@h/db", "postgres:u:ΣΕΚΡΕΤ@host", "postgres:/u:ΣΕΚΡΕΤ@h/db", "postgres://u:ΣΕΚ/ΡΕΤ/db", "postgres:///u:ΣΕΚ@h/db", "postgres://u:ΣΕΚ%zzΡΕΤ@h/db", "postgres://u@h/db?password=ΣΕΚΡΕΤ&sslmode=bogus"];

describe("passwords in mistyped URLs", () => {
  it.each(ISSUE_INPUTS)("%s is refused with a ConfigurationError that masks the password", (text) => {
    const error = thrown(() => parseDatabaseUrl(text));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).not.toMatch(LEAK);
    expect(scrubUrls(`error: ${text} failed`)).not.toMatch(LEAK);
  });

  it("an unencoded @ in the password is read as libpq and pg read it (the last @ ends the user info), and stays masked", () => {
    const url = parseDatabaseUrl("postgres://u:ΣΕΚ@ΡΕΤ@h/db");
    expect(revealPassword(url)).toBe("ΣΕΚ@ΡΕΤ");
    expect(url.host).toBe("h");
    expect(url.toString()).toBe("postgres://u:***@h:5432/db");
  });

  it("a valid escape stays an escape when the URL also holds a space (pg-connection-string would re-encode it)", () => {
    expect(revealPassword(parseDatabaseUrl("postgres://u:p w%C3%A9@h/db"))).toBe("p wé");
  });

  it("postgres:u:pw@host is not accepted with the password inside the database name", () => {
    expect(() => parseDatabaseUrl("postgres:u:pw@host")).toThrow(/"\/\/" after the scheme is missing/);
  });

  it("maskUrlText keeps what helps (scheme, user, host) and hides the rest of the user info", () => {
    expect(maskUrlText("postgres:app:s3cret@db/app")).toBe("postgres:app:***@db/app");
    expect(maskUrlText("postgres//app:s3cret@db/app")).toBe("postgres//app:***@db/app");
    expect(maskUrlText("app:s3cret@db/app")).toBe("app:***@db/app");
    expect(maskUrlText("app:s3:cret@db/app")).toBe("app:***@db/app");
    expect(maskUrlText("postgres://app:s3@c@ret@db/app")).toBe("postgres://app:***@db/app");
    expect(maskUrlText("postgres://app:s3cret/app")).toBe("postgres://app:***");
    expect(maskUrlText("postgres://db:5432/app")).toBe("postgres://db:5432/app");
    expect(maskUrlText("postgres://app@db/app?password=s3cret&sslmode=require")).toBe("postgres://app@db/app?password=***&sslmode=require");
    expect(scrubUrls("write to user@example.com")).toBe("write to user@example.com");
  });

  describe("through the CLI, in text and --json", () => {
    let cwd: string;
    const saved = process.env.DATABASE_URL;
    beforeAll(async () => {
      cwd = await mkdtemp(join(tmpdir(), "athanor-url-cli-"));
    });
    afterAll(async () => {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
      await rm(cwd, { recursive: true, force: true });
    });

    it.each(ISSUE_INPUTS.slice(0, 4))("%s", async (text) => {
      process.env.DATABASE_URL = text;
      for (const argv of [["current"], ["current", "--json"], ["upgrade", "head", "--sql"], ["health", "--json"]]) {
        let output = "";
        const sink = new Writable({
          write(chunk, _encoding, done) {
            output += String(chunk);
            done();
          },
        });
        const code = await runCli(argv, { stdout: sink, stderr: sink, cwd });
        expect(code, argv.join(" ")).not.toBe(0);
        expect(output, argv.join(" ")).not.toMatch(LEAK);
      }
    });
  });
});

describe("untyped and late errors from createEngine", () => {
  it.each<[string, unknown]>([
    ["a number", 5432],
    ["undefined", undefined],
    ["null", null],
    ["an object", { host: "db" }],
    ["an array", ["postgres://u@h/db"]],
    ["a URL object", new URL("postgres://u:pw@h/db")],
  ])("%s is a ConfigurationError at createEngine, naming the problem", (_, value) => {
    const error = thrown(() => createEngine(value as string));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/must be a string/);
  });

  it.each([
    ["postgres://u:%C3@h/db", /percent-encoding/],
    ["postgres://u:p%E0%A4%A@h/db", /percent-encoding/],
    ["postgres://%C3@h/db", /percent-encoding/],
    ["postgres://u@h/db?application_name=%C3", /percent-encoding/],
    ["postgres://u@h/db?application_name=%zz", /percent-encoding/],
    ["sqlite:///%zz.db", /percent-encoding/],
    ["sqlite:a\u0000b.db", /U\+0000/],
    ["postgres://u:\ud800@h/db", /lone surrogate/],
    ["postgres://u@h1,h2/db", /several hosts/],
    ["postgres://u@h/db#x", /fragment/],
  ])("%s is a ConfigurationError, not a URIError or TypeError", (text, message) => {
    const error = thrown(() => createEngine(text));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(message);
  });

  it("property: anything that is not a string is refused at createEngine with a ConfigurationError", () => {
    fc.assert(
      fc.property(
        fc.anything().filter((value) => typeof value !== "string"),
        (value) => {
          expect(thrown(() => createEngine(value as string))).toBeInstanceOf(ConfigurationError);
        },
      ),
      fuzzOptions(1_000),
    );
  });

  it("property: any string either parses or is a ConfigurationError", () => {
    const text = fc.oneof(
      fc.string({ unit: "binary", maxLength: 40 }),
      hostileText({ maxLength: 12 }),
      fc.tuple(fc.constantFrom("postgres://", "postgresql://", "sqlite:", "sqlite:///", "postgres:"), hostileText({ maxLength: 12 })).map(([scheme, rest]) => scheme + rest),
    );
    fc.assert(
      fc.property(text, (input) => {
        let parsed;
        try {
          parsed = parseDatabaseUrl(input, "/srv/app");
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigurationError);
          return;
        }
        expect(["postgres", "sqlite"]).toContain(parsed.dialect);
        expect(() => parseDatabaseUrl(parsed.toString(), "/srv/app")).not.toThrow();
      }),
      fuzzOptions(6_000),
    );
  });
});

/** Parts of a URL, each valid or mistyped; the password is always Greek (plus URL syntax). */
const VALID = {
  scheme: ["postgres://", "postgresql://", "POSTGRES://"],
  user: ["u", "app", "a%40b", "user.name"],
  host: ["h", "db.internal", "[::1]", "%2Fvar%2Frun%2Fpostgresql", ""],
  port: ["", ":5432", ":6543"],
  path: ["/db", "/", "", "/my%20db"],
  query: ["", "?sslmode=require", "?sslmode=require&channel_binding=require", "?options=-c%20search_path%3Dapp", "?target_session_attrs=read-write&connect_timeout=10", "?application_name=api"],
} as const;
const MISTYPED = {
  scheme: ["postgres:", "postgres//", "postgres:/", "", "mysql://", "sqlite://", "http://", " postgres://", "postgres:///"],
  user: ["", "u u", "u%zz"],
  host: ["h,h2", "h h"],
  port: [":x", ":99999", ":0", ":"],
  path: ["/a/b", "/%zz", "/%C3"],
  query: ["?sslmode=bogus", "?pool_size=5", "?application_name=%C3", "?connect_timeout=x", "#frag", "?sslmode=require&sslmode=disable", "?channel_binding=require", "?sslcert=/c.pem"],
} as const;
type Part = keyof typeof VALID;

const part = (name: Part) => fc.oneof({ arbitrary: fc.constantFrom(...VALID[name]).map((text) => ({ text, valid: true })), weight: 3 }, { arbitrary: fc.constantFrom(...MISTYPED[name]).map((text) => ({ text, valid: false })), weight: 1 });
const password = fc
  .array(fc.oneof({ arbitrary: fc.constantFrom(...GREEK), weight: 6 }, { arbitrary: fc.constantFrom("/", "?", "#", ":", " ", "%", "%2", "%zz", "+", "&", "=", "'", '"', "\\", "\t", "\u2028"), weight: 1 }), { minLength: 1, maxLength: 10 })
  .map((chars) => chars.join(""))
  .filter((text) => LEAK.test(text));

describe("property: a URL holding a password either parses or is refused, and the password never shows", () => {
  it("in messages, toString, inspect and JSON; well-formed URLs give back the password exactly", () => {
    fc.assert(
      fc.property(
        fc.record({ scheme: part("scheme"), user: part("user"), host: part("host"), port: part("port"), path: part("path"), query: part("query") }),
        password,
        fc.boolean(),
        fc.boolean(),
        (parts, secret, encode, asParameter) => {
          const written = encode ? encodeURIComponent(secret) : secret;
          const auth = asParameter ? `${parts.user.text}@` : `${parts.user.text}:${written}@`;
          const query = asParameter ? `${parts.query.text.startsWith("?") ? `${parts.query.text}&` : "?"}password=${encodeURIComponent(secret)}${parts.query.text.startsWith("#") ? parts.query.text : ""}` : parts.query.text;
          const text = `${parts.scheme.text}${auth}${parts.host.text}${parts.port.text}${parts.path.text}${query}`;
          // libpq reads "postgres://u@:5432/db" as a port without a host; WHATWG URLs (and so pg) do not.
          const wellFormed = Object.values(parts).every((entry) => entry.valid) && (encode || asParameter) && !(parts.host.text === "" && parts.port.text !== "");
          let url;
          try {
            url = parseDatabaseUrl(text);
          } catch (error) {
            expect(error).toBeInstanceOf(ConfigurationError);
            expect((error as Error).message).not.toMatch(LEAK);
            expect(wellFormed).toBe(false);
            return;
          }
          for (const rendering of [url.toString(), inspect(url), JSON.stringify({ url }), `${url}`]) expect(rendering).not.toMatch(LEAK);
          if (encode || asParameter) expect(revealPassword(url)).toBe(secret);
        },
      ),
      fuzzOptions(6_000),
    );
  });

  it("createEngine on the same inputs: the engine's renderings and errors keep the password out", async () => {
    await fc.assert(
      fc.asyncProperty(fc.record({ scheme: part("scheme"), user: part("user"), host: part("host"), path: part("path"), query: part("query") }), password, async (parts, secret) => {
        const text = `${parts.scheme.text}${parts.user.text}:${encodeURIComponent(secret)}@${parts.host.text}${parts.path.text}${parts.query.text}`;
        let engine;
        try {
          engine = createEngine(text);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigurationError);
          expect((error as Error).message).not.toMatch(LEAK);
          return;
        }
        try {
          expect(inspect(engine, { depth: 6 })).not.toMatch(LEAK);
          expect(JSON.stringify(engine.url)).not.toMatch(LEAK);
        } finally {
          await engine.dispose();
        }
      }),
      fuzzOptions(300),
    );
  });
});
