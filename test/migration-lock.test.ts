import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { createEngine, MigrationLockTimeoutError, type Engine } from "../src/index.js";
import { describeEachDialect } from "./support/each-dialect.js";

const LOCK = "athanor_migrations";

describeEachDialect("migration lock", (context) => {
  const engines: Engine[] = [];
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill("SIGKILL");
    await Promise.all(engines.splice(0).map((engine) => engine.dispose()));
  });
  const engine = (): Engine => {
    const created = createEngine(context.url());
    engines.push(created);
    return created;
  };

  it("lets one holder in at a time and the next one in after release", async () => {
    const shared = engine();
    const first = shared.backend.createMigrationLock(LOCK);
    const second = (context.name === "sqlite-memory" ? shared : engine()).backend.createMigrationLock(LOCK);
    await first.acquire(1_000);
    await expect(second.acquire(150)).rejects.toBeInstanceOf(MigrationLockTimeoutError);
    const waiting = second.acquire(5_000);
    await first.release();
    await waiting;
    await second.release();
    await first.release(); // idempotent
  });

  it("tells a waiting migrator, once, who holds the lock", async () => {
    const shared = engine();
    const first = shared.backend.createMigrationLock(LOCK);
    const second = (context.name === "sqlite-memory" ? shared : engine()).backend.createMigrationLock(LOCK);
    await first.acquire(1_000);
    const notices: Array<string | undefined> = [];
    const waiting = second.acquire(5_000, (holder) => notices.push(holder));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await first.release();
    await waiting;
    await second.release();
    expect(notices).toHaveLength(1);
    const expected = {
      "sqlite-memory": /^another migrator of this process$/,
      "sqlite-file": new RegExp(`^pid ${process.pid} on \\S+ \\(holding it for \\d+ s\\)$`),
      postgres: /^pid \d+ \(athanor-migrate (from \S+|over a local socket), connected \d+ s ago\)$/,
      pglite: /^another migrator of this process$/,
    }[context.name];
    expect(notices[0]).toMatch(expected);
  });

  // In memory (SQLite, PGlite) a database lives in one process: no other process can hold its lock.
  it.skipIf(context.name === "sqlite-memory" || context.name === "pglite")("is released by the operating system or server when the holder is killed with SIGKILL", async () => {
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", "test/fixtures/hold-migration-lock.ts", context.url()], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    children.push(child);
    let output = "";
    child.stdout!.setEncoding("utf8");
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on("data", (chunk: string) => {
        output += chunk;
        if (output.includes("locked")) resolve();
      });
      child.once("exit", (code) => reject(new Error(`lock holder exited early with ${code}`)));
    });
    const lock = engine().backend.createMigrationLock(LOCK);
    await expect(lock.acquire(200)).rejects.toBeInstanceOf(MigrationLockTimeoutError);
    child.kill("SIGKILL");
    await once(child, "exit");
    await lock.acquire(5_000);
    await lock.release();
  });
});

describe("migration lock timeouts", () => {
  it("names the waiting time", async () => {
    const engine = createEngine("sqlite::memory:");
    const first = engine.backend.createMigrationLock(LOCK);
    await first.acquire(100);
    await expect(engine.backend.createMigrationLock(LOCK).acquire(50)).rejects.toThrow(/more than 50 ms/);
    await first.release();
    await engine.dispose();
  });
});
