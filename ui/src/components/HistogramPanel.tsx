/**
 * Histograms over time: per run, a heatmap of bins (y) by step (x) shaded by
 * each step's counts (lib/histo.ts), and the histogram at the slider's step
 * drawn as bars. Also used for a histogram in a run's summary (`HistogramBars`).
 */
import { useEffect, useRef } from "preact/hooks";
import { api } from "../api";
import { useAsync, useWidth } from "../hooks";
import { useNav } from "../router";
import { heatmap, Hist, Heatmap } from "../lib/histo";
import { withAlpha } from "../lib/colors";
import { fmtNum } from "../lib/format";
import { atStep } from "../lib/media";
import { StepSlider } from "./StepSlider";
import type { PanelRun } from "./Workspace";

function drawHeatmap(c: HTMLCanvasElement, hm: Heatmap, color: string, w: number, h: number, mark: number | null) {
  const dpr = devicePixelRatio || 1;
  c.width = w * dpr; c.height = h * dpr; c.style.width = `${w}px`; c.style.height = `${h}px`;
  const g = c.getContext("2d")!;
  g.scale(dpr, dpr);
  g.clearRect(0, 0, w, h);
  const n = hm.cells.length;
  if (!n) return;
  const cw = w / n, rh = h / hm.rows;
  hm.cells.forEach((col, i) => {
    for (let r = 0; r < hm.rows; r++) {
      if (col[r] <= 0) continue;
      g.fillStyle = withAlpha(color, 0.08 + 0.92 * col[r]);
      g.fillRect(i * cw, h - (r + 1) * rh, Math.ceil(cw), Math.ceil(rh));
    }
  });
  if (mark != null) {
    g.strokeStyle = "#222"; g.lineWidth = 1;
    g.strokeRect(mark * cw + 0.5, 0.5, Math.max(1, cw - 1), h - 1);
  }
}

export function HistogramBars({ hist, color, width, height = 120 }: { hist: { bins: number[]; values: number[] }; color: string; width: number; height?: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    if (!c || width <= 0) return;
    const dpr = devicePixelRatio || 1;
    c.width = width * dpr; c.height = height * dpr; c.style.width = `${width}px`; c.style.height = `${height}px`;
    const g = c.getContext("2d")!;
    g.scale(dpr, dpr);
    const lo = hist.bins[0], hi = hist.bins[hist.bins.length - 1];
    const max = Math.max(1e-12, ...hist.values);
    g.fillStyle = color;
    hist.values.forEach((v, i) => {
      const x0 = ((hist.bins[i] - lo) / (hi - lo || 1)) * width;
      const x1 = ((hist.bins[i + 1] - lo) / (hi - lo || 1)) * width;
      const bh = (v / max) * (height - 14);
      g.fillRect(x0, height - 14 - bh, Math.max(1, x1 - x0 - 0.5), bh);
    });
    g.fillStyle = "#666"; g.font = "10px sans-serif";
    g.fillText(fmtNum(lo), 0, height - 2);
    const t = fmtNum(hi);
    g.fillText(t, width - g.measureText(t).width, height - 2);
  }, [hist, color, width, height]);
  return <canvas ref={ref} class="hist-bars" />;
}

function RunHistograms({ project, run, keyName, width }: { project: string; run: PanelRun; keyName: string; width: number }) {
  const { view, setView } = useNav();
  const rows = useAsync(() => api.history(project, run.entry.id, [keyName]), [project, run.entry.id, keyName, run.version]);
  const hists: Hist[] = (rows.data ?? [])
    .filter((r) => r[keyName] && Array.isArray(r[keyName].bins))
    .map((r) => ({ step: r._step, bins: r[keyName].bins, values: r[keyName].values }));
  const hm = heatmap(hists);
  const steps = hists.map((h) => h.step);
  const step = view.step[keyName] ?? steps[steps.length - 1];
  const cur = atStep(hists.map((h) => ({ step: h.step, value: h })), step ?? 0);
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (canvas.current && width > 0) drawHeatmap(canvas.current, hm, run.color, width, 110, cur ? steps.indexOf(cur.step) : null);
  }, [rows.data, width, step, run.color]);
  if (rows.error) return <div class="error">{rows.error}</div>;
  if (!rows.data) return <div class="empty">Loading…</div>;
  if (!hists.length) return <div class="empty">No histograms</div>;
  return (
    <div class="run-hist" data-run={run.entry.id}>
      <div class="run-label"><span class="dot" style={{ background: run.color }} />{run.entry.name || run.entry.id}</div>
      <canvas ref={canvas} class="heatmap" title={`${fmtNum(hm.lo)} .. ${fmtNum(hm.hi)} over ${hists.length} steps`} />
      <div class="axis-note">steps {steps[0]}–{steps[steps.length - 1]}, values {fmtNum(hm.lo)} .. {fmtNum(hm.hi)}</div>
      {cur && <HistogramBars hist={cur.value as Hist} color={run.color} width={width} height={90} />}
      <StepSlider steps={steps} step={cur?.step ?? 0} onStep={(s) => setView({ step: { ...view.step, [keyName]: s } })} />
    </div>
  );
}

export function HistogramPanel({ project, runs, keyName }: { project: string; runs: PanelRun[]; keyName: string }) {
  const [ref, width] = useWidth<HTMLDivElement>();
  return (
    <div ref={ref} class="hist-panel">
      {runs.map((r) => <RunHistograms key={r.entry.id} project={project} run={r} keyName={keyName} width={width} />)}
    </div>
  );
}
