// The agent platform's entry point (`npm start` at the repository root):
// migrate to head, seed an empty database, serve; `npm start -- --workers 2` forks a cluster.
import cluster from "node:cluster";
import { runPrimary } from "./cluster/run-primary.js";
import { runWorker } from "./cluster/run-worker.js";
import { prepareDatabase } from "./database/prepare-database.js";
import { banner } from "./banner.js";
import { readServiceConfig } from "./service-config.js";

try {
  const config = readServiceConfig(process.env, process.argv.slice(2));
  if (cluster.isWorker) {
    await runWorker(config);
  } else {
    const prepared = await prepareDatabase(config);
    const migrated = prepared.applied.length === 0 ? "at head" : `applied ${prepared.applied.join(", ")}`;
    process.stdout.write(`database: ${migrated}${prepared.seeded ? "; demo data seeded" : ""}\n`);
    if (config.workers === 1) {
      const worker = await runWorker(config);
      process.stdout.write(banner(worker.url, config));
    } else {
      process.exitCode = await runPrimary(config, { onListening: (url) => process.stdout.write(banner(url, config)) });
    }
  }
} catch (error) {
  process.stderr.write(`agent-platform: ${(error as Error).message}\n`);
  process.exit(1);
}
