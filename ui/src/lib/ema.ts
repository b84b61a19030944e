/**
 * EMA smoothing as W&B draws it: a time-weighted exponential moving average,
 * debiased at the start so the first point is the first value. `weight` is the
 * slider value in [0, 1): 0 returns the input, 0.99 is heavy smoothing.
 * Missing values (null, NaN) stay missing and do not reset the average.
 */
export type Num = number | null;

export function ema(ys: ArrayLike<Num>, weight: number): Num[] {
  const out: Num[] = new Array(ys.length);
  if (!(weight > 0)) {
    for (let i = 0; i < ys.length; i++) out[i] = ys[i];
    return out;
  }
  const w = Math.min(weight, 0.999);
  let last = 0;
  let debias = 0;
  for (let i = 0; i < ys.length; i++) {
    const y = ys[i];
    if (y == null || !Number.isFinite(y)) {
      out[i] = y == null ? null : y;
      continue;
    }
    last = last * w + (1 - w) * y;
    debias = debias * w + (1 - w);
    out[i] = last / debias;
  }
  return out;
}
