// Unit tests of the UI's helpers (ui/test/*.test.ts): bundled by esbuild for
// Node, run with node:test. `npm test` in ui/.
import { build } from "esbuild";
import { readdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const testDir = join(here, "..", "test");
const files = readdirSync(testDir).filter((f) => f.endsWith(".test.ts")).map((f) => join(testDir, f));
const out = mkdtempSync(join(tmpdir(), "tidelog-ui-unit-"));
try {
  await build({ entryPoints: files, bundle: true, platform: "node", format: "esm", outdir: out,
    outExtension: { ".js": ".mjs" }, logLevel: "warning" });
  const r = spawnSync(process.execPath, ["--test", ...readdirSync(out).map((f) => join(out, f))], { stdio: "inherit" });
  process.exitCode = r.status ?? 1;
} finally {
  rmSync(out, { recursive: true, force: true });
}
