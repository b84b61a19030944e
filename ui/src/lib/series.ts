/**
 * Downsampled history -> chart columns.
 *
 * The server answers `/history/sampled` with per-bucket first/last/min/max
 * (docs/server-api.md). A run's series is drawn as a line through each
 * bucket's first and last point with a min/max band under it, so a one-step
 * spike is always visible (it is some bucket's max). On zoom the finer answer
 * for the zoomed range replaces the coarse points inside that range
 * (`mergeRange`). Several runs are aligned on one x column (`alignRuns`) the
 * way uPlot wants its data: [x, run0.y, run0.min, run0.max, run1.y, ...].
 */
export type Num = number | null;

export interface SampledSeries {
  x: unknown[]; x_last: unknown[]; first: unknown[]; last: unknown[];
  min: unknown[]; max: unknown[]; count: unknown[];
}

export interface Shaped { x: number[]; y: Num[]; min: Num[]; max: Num[] }

/** A JSON number or the server's "NaN"/"Infinity"/"-Infinity" strings as a plottable number or null. */
export function num(v: unknown): Num {
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  return null;
}

/**
 * One run's buckets as line points, M4-style: each bucket's first, min, max
 * and last point in x order (fewer when they coincide), so the line itself
 * passes through every bucket's extremes and a one-step spike is drawn even
 * without the band. Each point also carries its bucket's min and max (the band).
 * An extreme's x is clamped into its bucket (the server may give a tile start).
 */
export function shapeBuckets(s: SampledSeries & { x_of_min?: unknown[]; x_of_max?: unknown[] }): Shaped {
  const out: Shaped = { x: [], y: [], min: [], max: [] };
  const n = s.x.length;
  for (let i = 0; i < n; i++) {
    const x0 = Number(s.x[i]);
    const x1 = Number(s.x_last[i]);
    const lo = num(s.min[i]);
    const hi = num(s.max[i]);
    const clamp = (v: unknown) => Math.min(x1, Math.max(x0, Number(v)));
    // A bucket holding one x (one step) is that step's row: its last value wins, as in history rows.
    const pts: [number, Num][] = [[x0, num(x1 === x0 ? s.last[i] : s.first[i])]];
    if (x1 !== x0) {
      const ext: [number, Num][] = [];
      if (s.x_of_min && lo != null) ext.push([clamp(s.x_of_min[i]), lo]);
      if (s.x_of_max && hi != null) ext.push([clamp(s.x_of_max[i]), hi]);
      ext.sort((a, b) => a[0] - b[0]);
      for (const p of ext) if (p[0] > x0 && p[0] < x1 && p[0] !== pts[pts.length - 1][0]) pts.push(p);
      pts.push([x1, num(s.last[i])]);
    }
    for (const [x, y] of pts) {
      out.x.push(x); out.y.push(y); out.min.push(lo); out.max.push(hi);
    }
  }
  return out;
}

/** Coarse points outside [lo, hi] and the fine points inside it, in x order. */
export function mergeRange(coarse: Shaped, fine: Shaped, lo: number, hi: number): Shaped {
  const out: Shaped = { x: [], y: [], min: [], max: [] };
  const push = (s: Shaped, i: number) => {
    out.x.push(s.x[i]); out.y.push(s.y[i]); out.min.push(s.min[i]); out.max.push(s.max[i]);
  };
  let i = 0;
  for (; i < coarse.x.length && coarse.x[i] < lo; i++) push(coarse, i);
  for (let j = 0; j < fine.x.length; j++) if (fine.x[j] >= lo && fine.x[j] <= hi) push(fine, j);
  for (; i < coarse.x.length; i++) if (coarse.x[i] > hi) push(coarse, i);
  return out;
}

/**
 * Put every run's points on one grid of `slots` columns over [lo, hi] so that
 * overlaid runs share x values and their aligned table stays ~`slots` wide
 * (not runs x points). A slot is under half a pixel for charts up to `slots`/2
 * pixels wide. Where several points of one run fall in one slot, a bucket's
 * extreme (its min or max) wins over a first/last point, so spikes survive.
 * Ranges narrower than `slots` are left exact (integer steps stay integers).
 */
export function snapRuns(runs: Shaped[], lo: number, hi: number, slots = 2000): Shaped[] {
  if (!(hi - lo > slots)) return runs;
  const w = (hi - lo) / slots;
  return runs.map((s) => {
    const out: Shaped = { x: [], y: [], min: [], max: [] };
    for (let i = 0; i < s.x.length; i++) {
      const x = lo + Math.round((s.x[i] - lo) / w) * w;
      const n = out.x.length;
      const extreme = s.y[i] != null && (s.y[i] === s.min[i] || s.y[i] === s.max[i]);
      if (n && out.x[n - 1] === x) {
        const prevExtreme = out.y[n - 1] != null && (out.y[n - 1] === out.min[n - 1] || out.y[n - 1] === out.max[n - 1]);
        if (extreme && !prevExtreme) { out.y[n - 1] = s.y[i]; out.min[n - 1] = s.min[i]; out.max[n - 1] = s.max[i]; }
        continue;
      }
      out.x.push(x); out.y.push(s.y[i]); out.min.push(s.min[i]); out.max.push(s.max[i]);
    }
    return out;
  });
}

/** Values a log axis cannot show (<= 0) become gaps. */
export function positiveOnly(ys: Num[]): Num[] {
  return ys.map((y) => (y != null && y > 0 ? y : null));
}

/**
 * Align runs on the union of their x values. Returns [xs, ...per run columns]
 * where each run contributes `cols` columns taken from `pick(run)` in order,
 * with null where the run has no point at that x.
 */
export function alignRuns(runs: Num[][][], xsOf: number[][]): [number[], ...Num[][]] {
  const all: number[] = [];
  for (const xs of xsOf) for (const x of xs) all.push(x);
  all.sort((a, b) => a - b);
  const xs: number[] = [];
  for (const x of all) if (xs.length === 0 || xs[xs.length - 1] !== x) xs.push(x);
  const out: [number[], ...Num[][]] = [xs];
  runs.forEach((cols, r) => {
    const rx = xsOf[r];
    const aligned = cols.map(() => new Array<Num>(xs.length).fill(null));
    let j = 0;
    for (let i = 0; i < rx.length; i++) {
      while (xs[j] < rx[i]) j++;
      for (let c = 0; c < cols.length; c++) aligned[c][j] = cols[c][i];
    }
    out.push(...aligned);
  });
  return out;
}
