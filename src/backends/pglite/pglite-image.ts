import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { driverEntryDirectory } from "../load-driver.js";
import type { PgliteCreateOptions, PgliteInstance, PgliteModule } from "./pglite-driver.js";

/** What every in-memory boot shares, once per process: the compiled WebAssembly, the file bundle and an initialised data directory. */
interface BootAssets {
  readonly wasm: Partial<Pick<PgliteCreateOptions, "pgliteWasmModule" | "fsBundle">>;
  /** The cache file of the data directory, when the package's folder is known. */
  readonly imagePath: string | undefined;
}

/** Node's global WebAssembly, which the configured libraries declare as types only. */
const wasmCompiler = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<object> } }).WebAssembly;

const assetsByModule = new WeakMap<PgliteModule, Promise<BootAssets>>();
const imagesByModule = new WeakMap<PgliteModule, Promise<Blob | undefined>>();

/**
 * Starts a PGlite instance. A fresh database costs PGlite an `initdb` (seconds, in
 * WebAssembly); an in-memory one here starts from the data directory the first one of this
 * installation left after its `initdb` (kept in memory, and on disk in
 * `node_modules/.cache/athanor/` beside the package, so the next process skips it too), with
 * the WebAssembly compiled once per process: about a tenth of the time. A data directory
 * boots as PGlite boots it (`initdb` only when it is new).
 */
export async function bootPglite(driver: PgliteModule, dataDir: string | undefined, extensions: Record<string, unknown>): Promise<PgliteInstance> {
  if (dataDir !== undefined) return driver.PGlite.create({ dataDir, extensions });
  const assets = await bootAssets(driver);
  let images = imagesByModule.get(driver);
  if (images === undefined) {
    let first: PgliteInstance | undefined;
    images = readImage(assets.imagePath).then(async (cached) => {
      if (cached !== undefined) return cached;
      first = await driver.PGlite.create({ ...assets.wasm, extensions });
      const image = await first.dumpDataDir("gzip");
      await writeImage(assets.imagePath, image);
      return image;
    });
    imagesByModule.set(driver, images);
    const image = await images.catch((error: unknown) => {
      imagesByModule.delete(driver);
      throw error;
    });
    // The instance that made the image is as new as a copy: it is this boot's.
    if (first !== undefined) return first;
    return driver.PGlite.create({ ...assets.wasm, extensions, ...(image === undefined ? {} : { loadDataDir: image }) });
  }
  const image = await images;
  return driver.PGlite.create({ ...assets.wasm, extensions, ...(image === undefined ? {} : { loadDataDir: image }) });
}

function bootAssets(driver: PgliteModule): Promise<BootAssets> {
  let assets = assetsByModule.get(driver);
  if (assets === undefined) {
    assets = loadAssets();
    assetsByModule.set(driver, assets);
  }
  return assets;
}

async function loadAssets(): Promise<BootAssets> {
  const folder = driverEntryDirectory("@electric-sql/pglite");
  if (folder === undefined) return { wasm: {}, imagePath: undefined };
  // The files PGlite itself reads at every boot; missing ones (another layout) leave it to PGlite.
  let wasm: BootAssets["wasm"] = {};
  try {
    const [module, bundle] = await Promise.all([readFile(join(folder, "pglite.wasm")).then((bytes) => wasmCompiler.compile(bytes)), readFile(join(folder, "pglite.data"))]);
    wasm = { pgliteWasmModule: module, fsBundle: new Blob([bundle]) };
  } catch {
    wasm = {};
  }
  let version = "unknown";
  try {
    version = (JSON.parse(await readFile(join(folder, "..", "package.json"), "utf8")) as { version?: string }).version ?? version;
  } catch {
    // no version: no disk cache
  }
  // <project>/node_modules/@electric-sql/pglite/dist → <project>/node_modules/.cache/athanor
  const imagePath = version === "unknown" ? undefined : join(folder, "..", "..", "..", ".cache", "athanor", `pglite-${version}-datadir.tar.gz`);
  return { wasm, imagePath };
}

async function readImage(path: string | undefined): Promise<Blob | undefined> {
  if (path === undefined) return undefined;
  try {
    return new Blob([await readFile(path)]);
  } catch {
    return undefined;
  }
}

/** Written to a temporary name, then renamed: a concurrent reader sees the whole file or none. Best effort. */
async function writeImage(path: string | undefined, image: Blob): Promise<void> {
  if (path === undefined) return;
  try {
    await mkdir(join(path, ".."), { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, Buffer.from(await image.arrayBuffer()));
    await rename(temporary, path);
  } catch {
    // A read-only installation boots each process with its own initdb.
  }
}
