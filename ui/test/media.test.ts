import { test } from "node:test";
import assert from "node:assert/strict";
import { mediaItems, panelKind, kindOfType, atStep, unionSteps, fileUrl, itemUrl } from "../src/lib/media";
import { boxRect, visibleBoxes, scoreRanges, classLabel, groupClasses } from "../src/lib/boxes";
import { heatmap } from "../src/lib/histo";
import { sections, xAxisChoices } from "../src/lib/panels";

test("a list of images is one item per image with its caption", () => {
  const v = { _type: "images/separated", width: 4, height: 2, format: "png", count: 2,
    filenames: ["media/images/a.png", "media/images/b.png"], captions: ["x", "y"] };
  const items = mediaItems(v);
  assert.deepEqual(items.map((i) => [i.path, i.caption, i.width]), [["media/images/a.png", "x", 4], ["media/images/b.png", "y", 4]]);
  assert.equal(mediaItems({ _type: "audio", audio: [{ _type: "audio-file", path: "m/a.wav", caption: "Nice" }] })[0].caption, "Nice");
  assert.equal(mediaItems({ _type: "object3d/list", items: [{ _type: "object3D-file", path: "m/x.obj" }] })[0].format, "obj");
});

test("panel kinds: Vega tables are charts, others are tables", () => {
  assert.equal(panelKind({ _type: "table-file", path: "t", panel_type: "Vega2" }), "vega");
  assert.equal(panelKind({ _type: "table-file", path: "t" }), "table");
  assert.equal(panelKind({ _type: "plotly-file", path: "p" }), "plotly");
  assert.equal(panelKind(1.5), "line");
  assert.equal(kindOfType("mixed"), "media");
  assert.equal(kindOfType("images/separated"), "image");
});

test("the slider shows the last value at or before its step", () => {
  const vals = [{ step: 2, value: "a" }, { step: 5, value: "b" }, { step: 9, value: "c" }];
  assert.equal(atStep(vals, 6)!.value, "b");
  assert.equal(atStep(vals, 9)!.value, "c");
  assert.equal(atStep(vals, 0)!.value, "a");
  assert.deepEqual(unionSteps([vals, [{ step: 3, value: 1 }, { step: 5, value: 2 }]]), [2, 3, 5, 9]);
  assert.equal(fileUrl("p", "r", "media/a b.png"), "/api/v1/runs/p/r/files/media/a%20b.png");
  const h = "ab".repeat(32);
  const [item] = mediaItems({ _type: "images/separated", filenames: [`media/images/${h}.png`] });
  assert.equal(itemUrl("p", "r", item), `/api/v1/media/${h}`);
  assert.equal(itemUrl("p", "r", { path: "media/x.png" }), "/api/v1/runs/p/r/files/media/x.png");
});

test("box positions in both forms and both domains", () => {
  assert.deepEqual(boxRect({ position: { minX: 0.1, maxX: 0.2, minY: 0.5, maxY: 1 }, class_id: 1 }, 100, 10),
    { x: 10, y: 5, w: 10, h: 5 });
  assert.deepEqual(boxRect({ position: { middle: [15, 10], width: 6, height: 4 }, class_id: 1, domain: "pixel" }, 30, 20),
    { x: 12, y: 8, w: 6, h: 4 });
});

test("class toggles and score sliders hide boxes", () => {
  const g = { box_data: [
    { position: {}, class_id: 1, scores: { acc: 0.1 } },
    { position: {}, class_id: 2, scores: { acc: 0.7 } },
    { position: {}, class_id: 3 }] };
  assert.equal(visibleBoxes(g, { hiddenClasses: new Set(), scoreMin: {} }).length, 3);
  assert.deepEqual(visibleBoxes(g, { hiddenClasses: new Set([2]), scoreMin: {} }).map((b) => b.class_id), [1, 3]);
  assert.deepEqual(visibleBoxes(g, { hiddenClasses: new Set(), scoreMin: { acc: 0.5 } }).map((b) => b.class_id), [2, 3]);
  assert.deepEqual(scoreRanges([g]), { acc: [0.1, 0.7] });
  assert.equal(classLabel(undefined, 4), "class_4");
  assert.deepEqual(groupClasses({ "1": "car" }, g.box_data), [1, 2, 3]);
});

test("histograms with different bins share rows; each step's column peaks at 1", () => {
  const h = heatmap([{ step: 0, bins: [0, 1, 2], values: [1, 3] }, { step: 1, bins: [2, 4], values: [5] }], 4);
  assert.equal(h.lo, 0);
  assert.equal(h.hi, 4);
  assert.deepEqual([...h.cells[0]], [1 / 3, 1, 0, 0]);
  assert.deepEqual([...h.cells[1]], [0, 0, 1, 1]);
});

test("panels grouped by prefix, Charts first, search filters, _keys are axes", () => {
  const keys = [{ name: "train/loss", type: "number" }, { name: "acc", type: "number" }, { name: "_step", type: "number" },
    { name: "img", type: "image-file" }, { name: "eval/acc", type: "number" }, { name: "s", type: "string" }];
  const s = sections(keys, "");
  assert.deepEqual(s.map((x) => x.name), ["Charts", "eval", "train"]);
  assert.deepEqual(s[0].panels, [{ key: "acc", kind: "line" }, { key: "img", kind: "image" }]);
  assert.deepEqual(sections(keys, "/^train/").map((x) => x.name), ["train"]);
  assert.deepEqual(xAxisChoices(keys), ["_step", "_runtime", "_timestamp", "train/loss", "acc", "eval/acc"]);
});
