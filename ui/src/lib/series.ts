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

/** One run's buckets as line points (first, last) with the bucket's min/max at each point. */
export function shapeBuckets(s: SampledSeries): Shaped {
  const out: Shaped = { x: [], y: [], min: [], max: [] };
  const n = s.x.length;
  for (let i = 0; i < n; i++) {
    const x0 = Number(s.x[i]);
    const x1 = Number(s.x_last[i]);
    const lo = num(s.min[i]);
    const hi = num(s.max[i]);
    out.x.push(x0); out.y.push(num(s.first[i])); out.min.push(lo); out.max.push(hi);
    if (x1 !== x0) {
      out.x.push(x1); out.y.push(num(s.last[i])); out.min.push(lo); out.max.push(hi);
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
