/**
 * One metric's chart: the shown runs' downsampled history over the chosen
 * x-axis; on zoom, the zoomed range is re-queried at full bucket resolution and
 * merged in (lib/series.ts). EMA smoothing and log scale from the URL.
 */
import { useMemo } from "preact/hooks";
import { api } from "../api";
import { useAsync, useWidth } from "../hooks";
import { useNav } from "../router";
import { shapeBuckets, mergeRange, alignRuns, positiveOnly, snapRuns, Shaped, Num } from "../lib/series";
import { ema } from "../lib/ema";
import { LineChart } from "./LineChart";
import type { PanelRun } from "./Workspace";

/**
 * Buckets per request: one per two pixels of chart width (M4 draws up to 4
 * points a bucket, so the line stays pixel-accurate), in steps of 50 so a
 * small resize does not re-query; 100..1000.
 */
export function bucketsFor(width: number): number {
  return Math.max(100, Math.min(1000, Math.round(width / 100) * 50));
}
/** Up to this many runs a chart also fills each run's min/max band; more would be clutter (the M4 line keeps spikes). */
export const MAX_BAND_RUNS = 5;

export function LinePanel({ project, runs, keyName }: { project: string; runs: PanelRun[]; keyName: string }) {
  const { view, setView } = useNav();
  const [ref, width] = useWidth<HTMLDivElement>();
  const versions = runs.map((r) => `${r.entry.id}@${r.version}`).join(",");
  const buckets = width > 0 ? bucketsFor(width) : 0;
  const fetchAll = (range?: [number, number]) => (buckets === 0 ? Promise.resolve(null) : Promise.all(runs.map((r) =>
    api.sampled(project, r.entry.id, [keyName], view.x, buckets, range)
      .then((a) => shapeBuckets(a.series[keyName]))
      .catch((e) => (e.status === 404 ? null : Promise.reject(e))))));
  const coarse = useAsync(() => fetchAll(), [project, keyName, view.x, versions, buckets]);
  const zoomKey = view.zoom ? view.zoom.join(",") : "";
  const fine = useAsync(() => (view.zoom ? fetchAll(view.zoom) : Promise.resolve(null)), [project, keyName, view.x, versions, zoomKey, buckets]);
  const data = useMemo(() => {
    if (!coarse.data) return null;
    const shaped: (Shaped | null)[] = coarse.data.map((c, i) => {
      const f = fine.data?.[i];
      return c && f && view.zoom ? mergeRange(c, f, view.zoom[0], view.zoom[1]) : c;
    });
    const present = shaped.map((s, i) => ({ s, r: runs[i] })).filter((x): x is { s: Shaped; r: PanelRun } => !!x.s && x.s.x.length > 0);
    const fix = (ys: Num[]) => (view.log ? positiveOnly(ys) : ys);
    const band = present.length <= MAX_BAND_RUNS;
    let [lo, hi] = view.zoom ?? [Infinity, -Infinity];
    if (!view.zoom) for (const { s } of present) { lo = Math.min(lo, s.x[0]); hi = Math.max(hi, s.x[s.x.length - 1]); }
    const snapped = snapRuns(present.map(({ s }) => s), lo, hi, buckets * 4);
    const cols = snapped.map((s) => {
      const line = fix(ema(s.y, view.smooth));
      return band ? [line, fix(s.min), fix(s.max)] : [line];
    });
    return { band, aligned: alignRuns(cols, snapped.map((s) => s.x)), runs: present.map(({ r }) => ({ name: r.entry.name || r.entry.id, color: r.color })) };
  }, [coarse.data, fine.data, view.smooth, view.log, buckets]);
  return (
    <div ref={ref} class="line-panel">
      {coarse.error && <div class="error">{coarse.error}</div>}
      {data && data.runs.length === 0 && <div class="empty">No values of {keyName} against {view.x === "_step" ? "Step" : view.x}</div>}
      {data && data.runs.length > 0 && (
        <LineChart data={data.aligned as any} runs={data.runs} width={width} log={view.log} time={view.x === "_timestamp"}
          xLabel={view.x === "_step" ? "Step" : view.x} zoom={view.zoom} band={data.band} onZoom={(z) => setView({ zoom: z })} />
      )}
      {data && data.runs.length > 1 && (
        <div class="legend">
          {data.runs.map((r) => <span key={r.name} class="legend-item"><span class="dot" style={{ background: r.color }} />{r.name}</span>)}
        </div>
      )}
    </div>
  );
}
