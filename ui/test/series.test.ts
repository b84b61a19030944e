import { test } from "node:test";
import assert from "node:assert/strict";
import { shapeBuckets, mergeRange, alignRuns, num, positiveOnly, snapRuns } from "../src/lib/series";
import { ema } from "../src/lib/ema";

const buckets = {
  x: [0, 10], x_last: [9, 10], first: [1, "NaN"], last: [2, 3], min: [0.5, 3], max: [100, 3], count: [10, 1],
};

test("a bucket becomes its first and last point, with its min/max at both", () => {
  const s = shapeBuckets(buckets);
  assert.deepEqual(s.x, [0, 9, 10]);
  assert.deepEqual(s.y, [1, 2, 3]); // one step's bucket shows its last value (a later log at a step wins)
  assert.deepEqual(s.max, [100, 100, 3]); // the spike stays drawn in the band
  assert.deepEqual(s.min, [0.5, 0.5, 3]);
});

test("a spike inside a bucket is a point of the line (M4: first, min, max, last)", () => {
  const s = shapeBuckets({ x: [0], x_last: [99], first: [1], last: [0.5], min: [0.4], max: [50],
    x_of_min: [98], x_of_max: [37], count: [100] });
  assert.deepEqual(s.x, [0, 37, 98, 99]);
  assert.deepEqual(s.y, [1, 50, 0.4, 0.5]);
  // a tile-start x outside the bucket is clamped into it; an extreme at the bucket's edge adds no point
  const t = shapeBuckets({ x: [10], x_last: [20], first: [5], last: [1], min: [1], max: [9],
    x_of_min: [20], x_of_max: [0], count: [11] });
  assert.deepEqual(t.x, [10, 20]);
});

test("non-finite markers are gaps", () => {
  assert.equal(num("Infinity"), null);
  assert.equal(num(2), 2);
  assert.deepEqual(positiveOnly([1, 0, -1, null, 3]), [1, null, null, null, 3]);
});

test("zoomed buckets replace the coarse ones inside the range only", () => {
  const coarse = { x: [0, 50, 100], y: [1, 2, 3], min: [1, 2, 3], max: [1, 2, 3] };
  const fine = { x: [40, 45, 60, 200], y: [9, 8, 7, 6], min: [9, 8, 7, 6], max: [9, 8, 7, 6] };
  const m = mergeRange(coarse, fine, 40, 60);
  assert.deepEqual(m.x, [0, 40, 45, 60, 100]);
  assert.deepEqual(m.y, [1, 9, 8, 7, 3]);
});

test("runs are aligned on the union of their x values with gaps", () => {
  const d = alignRuns([[[1, 2]], [[5, 6, 7]]], [[0, 2], [1, 2, 3]]);
  assert.deepEqual(d, [[0, 1, 2, 3], [1, null, 2, null], [null, 5, 6, 7]]);
});

test("EMA: weight 0 is identity, the first point is the first value, gaps are kept", () => {
  assert.deepEqual(ema([1, 2, 3], 0), [1, 2, 3]);
  const s = ema([10, null, 0, 0], 0.5);
  assert.equal(s[0], 10);
  assert.equal(s[1], null);
  assert.ok(s[2]! > 0 && s[2]! < 10);
  assert.ok(s[3]! < s[2]!);
});

test("runs snapped to one grid share x values; a spike wins its slot; narrow ranges stay exact", () => {
  const a = { x: [0, 1001, 1002, 5000], y: [1, 9, 2, 3], min: [1, 2, 2, 3], max: [1, 9, 9, 3] };
  const b = { x: [3, 1003, 4998], y: [4, 5, 6], min: [4, 5, 6], max: [4, 5, 6] };
  const [sa, sb] = snapRuns([a, b], 0, 5000, 1000); // 5-wide slots
  assert.deepEqual(sa.x, [0, 1000, 5000]);
  assert.deepEqual(sa.y, [1, 9, 3]); // 1001 (the bucket's max) kept over 1002 in the same slot
  assert.deepEqual(sb.x, [5, 1005, 5000]);
  assert.equal(new Set([...sa.x, ...sb.x]).size, 5);
  assert.equal(snapRuns([a], 0, 500, 1000)[0], a);
});
