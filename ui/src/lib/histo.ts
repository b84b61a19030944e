/**
 * Histograms over time: each step's histogram (its own bin edges) re-binned
 * onto one shared set of rows spanning every step's range, so the steps can
 * be drawn side by side as a heatmap (x = step, y = value, shade = share of
 * that step's counts). Counts of a source bin are spread over the rows it
 * overlaps, in proportion to the overlap.
 */
export interface Hist { step: number; bins: number[]; values: number[] }

export interface Heatmap { steps: number[]; lo: number; hi: number; rows: number; cells: Float64Array[] }

export function heatmap(hists: Hist[], rows = 64): Heatmap {
  let lo = Infinity, hi = -Infinity;
  for (const h of hists) {
    if (h.bins.length < 2) continue;
    lo = Math.min(lo, h.bins[0]);
    hi = Math.max(hi, h.bins[h.bins.length - 1]);
  }
  if (!(hi > lo)) { hi = lo + 1; if (!Number.isFinite(lo)) { lo = 0; hi = 1; } }
  const dy = (hi - lo) / rows;
  const cells = hists.map((h) => {
    const col = new Float64Array(rows);
    for (let i = 0; i + 1 < h.bins.length && i < h.values.length; i++) {
      const a = h.bins[i], b = h.bins[i + 1], c = h.values[i];
      if (!(c > 0)) continue;
      if (b <= a) { col[Math.min(rows - 1, Math.max(0, Math.floor((a - lo) / dy)))] += c; continue; }
      const r0 = Math.max(0, Math.floor((a - lo) / dy));
      const r1 = Math.min(rows - 1, Math.floor((b - lo) / dy - 1e-9));
      for (let r = r0; r <= r1; r++) {
        const ra = lo + r * dy, rb = ra + dy;
        const overlap = Math.min(b, rb) - Math.max(a, ra);
        if (overlap > 0) col[r] += (c * overlap) / (b - a);
      }
    }
    let max = 0;
    for (const v of col) max = Math.max(max, v);
    if (max > 0) for (let r = 0; r < rows; r++) col[r] /= max;
    return col;
  });
  return { steps: hists.map((h) => h.step), lo, hi, rows, cells };
}
