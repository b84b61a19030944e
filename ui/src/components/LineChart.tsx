/**
 * A thin uPlot wrapper for overlaid runs. Data columns come ready from
 * lib/series.ts: [x, then per run: line, and with `band` its min and max]. Drag selects an
 * x-range (-> onZoom), double-click resets, Shift+drag pans (-> onZoom when
 * released). The hover tooltip lists every run's value at the cursor (the
 * nearest point each run has), written as text.
 */
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { withAlpha } from "../lib/colors";
import { fmtNum } from "../lib/format";

export interface ChartRun { name: string; color: string }

interface Props {
  data: uPlot.AlignedData;
  runs: ChartRun[];
  width: number;
  height?: number;
  log: boolean;
  time: boolean;        // x is unix seconds
  xLabel: string;
  zoom: [number, number] | null;
  onZoom: (z: [number, number] | null) => void;
  band: boolean;          // each run brings [line, min, max] columns, the band filled between
}

const cols = (p: { band: boolean }) => (p.band ? 3 : 1);

function nearestNonNull(u: uPlot, sidx: number, idx: number): number {
  const ys = u.data[sidx];
  if (ys[idx] != null) return idx;
  for (let d = 1; d < 5000; d++) {
    if (idx - d >= 0 && ys[idx - d] != null) return idx - d;
    if (idx + d < ys.length && ys[idx + d] != null) return idx + d;
    if (idx - d < 0 && idx + d >= ys.length) break;
  }
  return idx;
}

function options(p: Props, tip: HTMLDivElement, onZoomRef: { current: Props["onZoom"] }, wrap: HTMLDivElement): uPlot.Options {
  const series: uPlot.Series[] = [{ label: p.xLabel }];
  const bands: uPlot.Band[] = [];
  const COLS = cols(p);
  p.runs.forEach((r, i) => {
    // uPlot's default point rule: dots where points are sparse (a key logged once is a dot, not nothing).
    // Many overlaid runs are drawn 1 px wide: hairlines take the rasterizer's fast path (measured: 20 runs
    // at 1.5 px redraw at ~16 frames/s in software raster, at 1 px at 60).
    series.push({ label: r.name, stroke: r.color, width: p.band ? 1.5 : 1, points: { size: 5, fill: r.color }, spanGaps: true });
    if (!p.band) return;
    series.push({ label: `${r.name} min`, stroke: "transparent", width: 0, points: { show: false }, spanGaps: true });
    series.push({ label: `${r.name} max`, stroke: "transparent", width: 0, points: { show: false }, spanGaps: true });
    bands.push({ series: [1 + i * COLS + 2, 1 + i * COLS + 1], fill: withAlpha(r.color, 0.18) });
  });
  let pan: { x0: number; min: number; max: number } | null = null;
  return {
    width: Math.max(200, p.width),
    height: p.height ?? 220,
    series,
    bands,
    legend: { show: false },
    scales: { x: { time: p.time }, y: p.log ? { distr: 3 } : {} },
    axes: [
      { stroke: "#666", grid: { stroke: "#eee" }, ticks: { stroke: "#ddd" }, size: 36 },
      { stroke: "#666", grid: { stroke: "#eee" }, ticks: { stroke: "#ddd" }, size: 56, values: (_u, vals) => vals.map((v) => fmtNum(v)) },
    ],
    cursor: {
      drag: { x: true, y: false, setScale: false },
      dataIdx: (u, sidx, idx) => nearestNonNull(u, sidx, idx),
      bind: {
        mousedown: (u, _t, handler) => (e: MouseEvent) => {
          if (e.shiftKey && u.scales.x.min != null) {
            pan = { x0: e.clientX, min: u.scales.x.min!, max: u.scales.x.max! };
            const move = (ev: MouseEvent) => {
              if (!pan) return;
              const per = (pan.max - pan.min) / u.bbox.width * devicePixelRatio;
              const dx = (ev.clientX - pan.x0) * per;
              u.setScale("x", { min: pan.min - dx, max: pan.max - dx });
            };
            const up = () => {
              removeEventListener("mousemove", move);
              removeEventListener("mouseup", up);
              if (pan && u.scales.x.min != null) onZoomRef.current([u.scales.x.min!, u.scales.x.max!]);
              pan = null;
            };
            addEventListener("mousemove", move);
            addEventListener("mouseup", up);
            return null;
          }
          return handler(e);
        },
        dblclick: () => () => { onZoomRef.current(null); return null; },
      },
    },
    hooks: {
      setSelect: [(u) => {
        if (u.select.width > 3) {
          const lo = u.posToVal(u.select.left, "x");
          const hi = u.posToVal(u.select.left + u.select.width, "x");
          onZoomRef.current([lo, hi]);
        }
        u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
      }],
      setCursor: [(u) => {
        const idx = u.cursor.idx;
        if (idx == null || u.cursor.left == null || u.cursor.left < 0) { tip.style.display = "none"; return; }
        tip.replaceChildren();
        const head = document.createElement("div");
        head.className = "tip-x";
        const xv = u.data[0][idx];
        head.textContent = `${p.xLabel} ${p.time ? new Date(xv * 1000).toLocaleString() : fmtNum(xv)}`;
        tip.appendChild(head);
        p.runs.forEach((r, i) => {
          const s = 1 + i * COLS;
          const j = u.cursor.idxs?.[s];
          const v = j != null ? u.data[s][j] : null;
          if (v == null) return;
          const row = document.createElement("div");
          row.className = "tip-row";
          const dot = document.createElement("span");
          dot.className = "dot";
          dot.style.background = r.color;
          const name = document.createElement("span");
          name.className = "tip-name";
          name.textContent = r.name;
          const val = document.createElement("span");
          val.className = "tip-val";
          val.textContent = fmtNum(v);
          row.append(dot, name, val);
          tip.appendChild(row);
        });
        tip.style.display = "block";
        const left = u.cursor.left + u.bbox.left / devicePixelRatio;
        tip.style.left = `${Math.min(left + 12, wrap.clientWidth - tip.offsetWidth - 4)}px`;
        tip.style.top = `${(u.cursor.top ?? 0) + 8}px`;
      }],
      draw: [(u) => {
        if (u.data[0].length && !wrap.dataset.painted) {
          wrap.dataset.painted = "1";
          performance.mark(`tidelog:chart-painted`);
        }
      }],
    },
  };
}

export function LineChart(p: Props) {
  const wrap = useRef<HTMLDivElement>(null);
  const tip = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const onZoomRef = useRef(p.onZoom);
  onZoomRef.current = p.onZoom;
  const shape = `${p.runs.map((r) => r.name + r.color).join("|")}|${p.log}|${p.time}|${p.xLabel}|${p.band}`;
  useEffect(() => {
    if (!wrap.current || !tip.current || p.width <= 0) return;
    const u = new uPlot(options(p, tip.current, onZoomRef, wrap.current), p.data, wrap.current);
    plot.current = u;
    if (p.zoom) u.setScale("x", { min: p.zoom[0], max: p.zoom[1] });
    return () => { u.destroy(); plot.current = null; };
  }, [shape, p.width > 0]);
  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    u.setData(p.data, true);
    if (p.zoom) u.setScale("x", { min: p.zoom[0], max: p.zoom[1] });
  }, [p.data, p.zoom?.[0], p.zoom?.[1]]);
  useEffect(() => {
    // What the chart holds, for tests and for a glance in devtools.
    const xs = p.data[0];
    if (wrap.current) {
      wrap.current.dataset.points = String(xs.length);
      wrap.current.dataset.xmax = xs.length ? String(xs[xs.length - 1]) : "";
      let ymax = -Infinity;
      for (let i = 0; i < p.runs.length; i++) for (const y of p.data[1 + i * cols(p)]) if (y != null && y > ymax) ymax = y;
      wrap.current.dataset.ymax = String(ymax);
    }
  }, [p.data]);
  useEffect(() => {
    if (plot.current && p.width > 0) plot.current.setSize({ width: Math.max(200, p.width), height: p.height ?? 220 });
  }, [p.width]);
  return (
    <div class="chart" ref={wrap} onMouseLeave={() => tip.current && (tip.current.style.display = "none")}>
      <div class="tooltip" ref={tip} />
    </div>
  );
}
