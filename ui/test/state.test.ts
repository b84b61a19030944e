import { test } from "node:test";
import assert from "node:assert/strict";
import { parseRoute, routePath, parseView, viewSearch, DEFAULT_VIEW } from "../src/lib/urlstate";
import { parseFilter, matchesText } from "../src/lib/filters";
import { assignColors } from "../src/lib/colors";

test("routes round-trip", () => {
  for (const path of ["/", "/my%20proj", "/p/runs/abc123"]) assert.equal(routePath(parseRoute(path)), path);
  assert.deepEqual(parseRoute("/p/runs/x"), { page: "run", project: "p", runId: "x" });
});

test("view state round-trips through the query string and defaults are omitted", () => {
  assert.equal(viewSearch(DEFAULT_VIEW), "");
  const v = { ...DEFAULT_VIEW, sel: ["a", "b"], x: "epoch", smooth: 0.6, log: true, q: "loss", zoom: [1, 5] as [number, number],
    sort: "-summary.acc", filter: "state:finished", tab: "logs", step: { examples: 3 },
    cols: ["config.lr", "summary.acc"] };
  assert.deepEqual(parseView(viewSearch(v)), v);
  assert.equal(parseView("?zoom=5,1").zoom, null);
  assert.equal(parseView("?smooth=7").smooth, 0);
});

test("filter words become the server's Mongo-style filters", () => {
  const f = parseFilter('state:finished tag:baseline lr>0.01 summary.acc>=0.9 name:"my run" foo');
  assert.deepEqual(f.mongo, { $and: [{ state: "finished" }, { tags: "baseline" }, { "config.lr": { $gt: 0.01 } },
    { "summary.acc": { $gte: 0.9 } }, { name: "my run" }] });
  assert.deepEqual(f.text, ["foo"]);
  assert.deepEqual(parseFilter("lr=").errors, ["lr=: no value after ="]);
  assert.equal(parseFilter("").mongo, null);
  assert.ok(matchesText({ id: "x1", name: "Bright River", tags: ["base"] }, ["river", "bas"]));
  assert.ok(!matchesText({ id: "x1", name: "a" }, ["zzz"]));
});

test("a run's colour depends on its place among the project's runs, not on selection", () => {
  const runs = [{ id: "b", created_at: 2 }, { id: "a", created_at: 1 }, { id: "c", created_at: 3 }];
  const m1 = assignColors(runs);
  const m2 = assignColors([...runs].reverse());
  assert.deepEqual([...m1.entries()].sort(), [...m2.entries()].sort());
  assert.notEqual(m1.get("a"), m1.get("b"));
});
