// Builds the web UI into the Python package (src/tidelog/webui/static/):
// index.html, assets/main.js + main.css (what the first paint needs) and
// assets/chunks/* (the heavy viewers, loaded on demand: vega-embed, three.js,
// 3Dmol.js, plotly.js). The output is deterministic (content-hashed chunk names,
// no timestamps), so CI can rebuild and diff it against the committed files.
import { build } from "esbuild";
import { rmSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "src", "tidelog", "webui", "static");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await build({
  entryPoints: { main: join(here, "src", "main.tsx") },
  bundle: true,
  splitting: true,
  format: "esm",
  minify: !process.env.UI_NOMINIFY, // UI_NOMINIFY=1: readable output for profiling (never committed)
  target: ["es2020"],
  outdir: join(out, "assets"),
  entryNames: "[name]",
  chunkNames: "chunks/[name]-[hash]",
  assetNames: "assets/[name]-[hash]",
  jsx: "automatic",
  jsxImportSource: "preact",
  legalComments: "none",
  charset: "utf8",
  define: { "process.env.NODE_ENV": '"production"' },
  logLevel: "warning",
});

writeFileSync(join(out, "index.html"), `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tidelog</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/main.css">
<script type="module" src="/assets/main.js"></script>
</head>
<body>
<div id="app"></div>
</body>
</html>
`);
