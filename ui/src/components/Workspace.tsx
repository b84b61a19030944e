/**
 * The workspace: a panel per key of the shown runs, in sections by prefix
 * (lib/panels.ts), with the key search, the x-axis choice, EMA smoothing, log
 * scale and the shared zoom in the URL. Panels load when scrolled near.
 */
import { useState } from "preact/hooks";
import { api, KeyInfo, RunEntry, RunDetail } from "../api";
import { useAsync, useVisible } from "../hooks";
import { useNav } from "../router";
import { sections, xAxisChoices, Panel } from "../lib/panels";
import { LinePanel } from "./LinePanel";
import { HistogramPanel } from "./HistogramPanel";
import { MediaPanel } from "./MediaPanel";

export interface ShownRun { entry: RunEntry; color: string; version: string }
export interface PanelRun extends ShownRun { detail: RunDetail }

export function unionKeys(details: RunDetail[]): KeyInfo[] {
  const m = new Map<string, KeyInfo>();
  for (const d of details) for (const k of d.keys ?? []) if (!m.has(k.name)) m.set(k.name, k);
  return [...m.values()];
}

export function Workspace({ project, runs }: { project: string; runs: ShownRun[] }) {
  const { view, setView } = useNav();
  const versions = runs.map((r) => `${r.entry.id}@${r.version}`).join(",");
  const details = useAsync(() => Promise.all(runs.map((r) => api.run(project, r.entry.id))), [project, versions]);
  const prs: PanelRun[] = (details.data ?? [])
    .map((d) => {
      const r = runs.find((x) => x.entry.id === d.id);
      return r ? { ...r, detail: d } : null;
    })
    .filter((x): x is PanelRun => x !== null);
  const keys = unionKeys(prs.map((r) => r.detail));
  const secs = sections(keys, view.q);
  return (
    <div class="workspace">
      <div class="toolbar">
        <input class="key-search" type="search" placeholder="Search panels (text or /regex/)" value={view.q}
          onInput={(e) => setView({ q: (e.target as HTMLInputElement).value })} />
        <label>X axis{" "}
          <select class="x-axis" value={view.x} onChange={(e) => setView({ x: (e.target as HTMLSelectElement).value, zoom: null })}>
            {xAxisChoices(keys).map((k) => <option key={k} value={k}>{k === "_step" ? "Step" : k === "_runtime" ? "Relative time (s)" : k === "_timestamp" ? "Wall time" : k}</option>)}
          </select>
        </label>
        <label title="Exponential moving average">Smoothing{" "}
          <input class="smooth" type="range" min="0" max="0.99" step="0.01" value={view.smooth}
            onInput={(e) => setView({ smooth: Number((e.target as HTMLInputElement).value) })} />
          <span class="smooth-value">{view.smooth.toFixed(2)}</span>
        </label>
        <label><input class="log-y" type="checkbox" checked={view.log} onChange={() => setView({ log: !view.log })} /> Log scale</label>
        {view.zoom && <button class="reset-zoom" onClick={() => setView({ zoom: null })}>Reset zoom</button>}
      </div>
      {details.error && <div class="error">{details.error}</div>}
      {runs.length === 0 && <div class="empty">Select runs to show their charts.</div>}
      {runs.length > 0 && details.data && keys.length === 0 && (
        <div class="empty no-data">No visualization data logged yet</div>
      )}
      {secs.map((s) => <SectionView key={s.name} name={s.name} panels={s.panels} project={project} runs={prs} />)}
    </div>
  );
}

function SectionView(p: { name: string; panels: Panel[]; project: string; runs: PanelRun[] }) {
  const [open, setOpen] = useState(true);
  return (
    <section class="section" data-section={p.name}>
      <h2 onClick={() => setOpen(!open)}>{open ? "▾" : "▸"} {p.name} <span class="count">{p.panels.length}</span></h2>
      {open && (
        <div class="panels">
          {p.panels.map((pl) => <LazyPanel key={pl.key} panel={pl} project={p.project} runs={p.runs} />)}
        </div>
      )}
    </section>
  );
}

function LazyPanel({ panel, project, runs }: { panel: Panel; project: string; runs: PanelRun[] }) {
  const [ref, seen] = useVisible<HTMLDivElement>();
  const withKey = runs.filter((r) => r.detail.keys.some((k) => k.name === panel.key));
  const wide = panel.kind === "table" || panel.kind === "html" || panel.kind === "plotly";
  return (
    <div ref={ref} class={`panel kind-${panel.kind}${wide ? " wide" : ""}`} data-key={panel.key} data-kind={panel.kind}>
      <div class="panel-title" title={panel.key}>{panel.key}</div>
      {seen && panel.kind === "line" && <LinePanel project={project} runs={withKey} keyName={panel.key} />}
      {seen && panel.kind === "histogram" && <HistogramPanel project={project} runs={withKey} keyName={panel.key} />}
      {seen && panel.kind !== "line" && panel.kind !== "histogram" && (
        <MediaPanel project={project} runs={withKey} keyName={panel.key} kind={panel.kind} />
      )}
    </div>
  );
}
