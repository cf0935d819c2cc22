import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { ConfigurationError, createEngine, parseDatabaseUrl } from "../src/index.js";

describe("parseDatabaseUrl", () => {
  it("parses a PostgreSQL URL with an encoded password, port, database and parameters", () => {
    const url = parseDatabaseUrl("postgresql://app%2Buser:p%40ss%3Aw%2Frd@db.internal:6543/my_app?sslmode=require&application_name=api");
    expect(url.dialect).toBe("postgres");
    expect(url.username).toBe("app+user");
    expect(url.host).toBe("db.internal");
    expect(url.port).toBe(6543);
    expect(url.database).toBe("my_app");
    expect(url.sslMode).toBe("require");
    expect(url.applicationName).toBe("api");
    expect(url.hasPassword).toBe(true);
  });

  it("defaults the port and accepts IPv6 hosts and socket directories", () => {
    expect(parseDatabaseUrl("postgres://u@localhost/db").port).toBe(5432);
    expect(parseDatabaseUrl("postgres://u@[::1]:5433/db").host).toBe("::1");
    expect(parseDatabaseUrl("postgres://u@/db?host=/var/run/postgresql").host).toBe("/var/run/postgresql");
  });

  it("never shows the password: toString, inspect, JSON, template strings", () => {
    const url = parseDatabaseUrl("postgres://app:s3cr%40t-pw@db:5432/app");
    const renderings = [url.toString(), inspect(url), JSON.stringify({ url }), `${url}`, inspect({ nested: { url } }, { depth: 5 })];
    for (const text of renderings) {
      expect(text).not.toContain("s3cr");
      expect(text).not.toContain("s3cr%40t");
    }
    expect(url.toString()).toBe("postgres://app:***@db:5432/app");
  });

  it("keeps the password out of engine renderings", async () => {
    const engine = createEngine("postgres://app:hunter2-secret@127.0.0.1:1/app");
    expect(inspect(engine, { depth: 6 })).not.toContain("hunter2");
    expect(JSON.stringify(engine.url)).not.toContain("hunter2");
    const report = await engine.healthCheck();
    expect(report.status).toBe("error");
    expect(JSON.stringify(report)).not.toContain("hunter2");
    await engine.dispose();
  });

  it("resolves relative SQLite paths against the working directory and keeps absolute ones", () => {
    expect(parseDatabaseUrl("sqlite:data/app.db", "/srv/api").database).toBe("/srv/api/data/app.db");
    expect(parseDatabaseUrl("sqlite:./data/app.db", "/srv/api").database).toBe("/srv/api/data/app.db");
    expect(parseDatabaseUrl("sqlite:/var/lib/app.db", "/srv/api").database).toBe("/var/lib/app.db");
  });

  it("accepts SQLAlchemy's spellings: three slashes relative, four absolute, bare sqlite:// in memory", () => {
    expect(parseDatabaseUrl("sqlite:///data/app.db", "/srv/api").database).toBe("/srv/api/data/app.db");
    expect(parseDatabaseUrl("sqlite:////var/lib/app.db", "/srv/api").database).toBe("/var/lib/app.db");
    for (const text of ["sqlite://", "sqlite::memory:", "sqlite://:memory:", "sqlite:///:memory:"]) {
      const url = parseDatabaseUrl(text);
      expect(url.inMemory).toBe(true);
      expect(url.database).toBe(":memory:");
    }
  });

  it("rejects malformed URLs and unknown schemes with a ConfigurationError naming the problem", () => {
    const cases: Array<[string, RegExp]> = [
      ["", /empty/],
      ["mysql://u:p@h/db", /unknown database URL scheme "mysql:"/],
      ["localhost:5432/db", /unknown database URL scheme "localhost:"/],
      ["just-a-name", /no scheme/],
      ["postgres://u:p@h:99999/db", /malformed PostgreSQL URL|invalid port/],
      ["postgres://u:p@h/db?sslmode=sometimes", /invalid sslmode "sometimes"/],
      ["postgres://u:p@h/db?pool_size=5", /unknown parameter "pool_size"/],
      ["sqlite://host/app.db", /names a host/],
      ["sqlite:app.db?mode=ro", /query string/],
    ];
    for (const [text, message] of cases) {
      const error = (() => {
        try {
          parseDatabaseUrl(text);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error, text).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).code).toBe("CONFIGURATION_ERROR");
      expect((error as Error).message, text).toMatch(message);
      expect((error as Error).message).not.toMatch(/:p@/);
    }
  });

  it("masks the password in errors about malformed URLs", () => {
    expect(() => parseDatabaseUrl("postgres://u:top-secret@h:notaport/db")).toThrow(ConfigurationError);
    try {
      parseDatabaseUrl("postgres://u:top-secret@h:notaport/db");
    } catch (error) {
      expect((error as Error).message).not.toContain("top-secret");
      expect((error as Error).message).toContain("u:***@");
    }
  });
});
