/**
 * `/<project>/runs/<run_id>`: one run. Tabs: Overview (state, exit code,
 * duration, host, command, group, tags, notes, config, summary with
 * histograms drawn), Charts (the workspace for this run alone), System
 * (system metrics over time) and Logs (console output). Re-read every 2 s
 * while the run is live.
 */
import { useState } from "preact/hooks";
import { api, RunDetail } from "../api";
import { useAsync, usePoll, useWidth } from "../hooks";
import { useNav } from "../router";
import { assignColors } from "../lib/colors";
import { flatten, fmtDuration, fmtTime, fmtValue } from "../lib/format";
import { Workspace } from "./Workspace";
import { runVersion } from "./ProjectPage";
import { HistogramBars } from "./HistogramPanel";
import { LineChart } from "./LineChart";
import { alignRuns, num } from "../lib/series";

const TABS = [["overview", "Overview"], ["charts", "Charts"], ["system", "System"], ["logs", "Logs"]];

function KV({ obj, label }: { obj: Record<string, unknown>; label: string }) {
  const flat = flatten(obj);
  const keys = Object.keys(flat).filter((k) => !k.startsWith("_")).sort();
  return (
    <div class="kv-block">
      <h3>{label}</h3>
      {keys.length === 0 && <div class="empty">none</div>}
      <table class="grid kv">
        <tbody>
          {keys.map((k) => {
            const v: any = flat[k];
            return (
              <tr key={k} data-key={k}>
                <td class="k">{k}</td>
                <td class="v">{v && v._type === "histogram" && Array.isArray(v.bins)
                  ? <HistogramBars hist={v} color="#5387DD" width={300} height={70} /> : fmtValue(v)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Overview({ r }: { r: RunDetail }) {
  const cmd = [r.program, ...(r.args ?? [])].filter(Boolean).join(" ");
  const rows: [string, any][] = [
    ["State", <span class={`state ${r.state}`}>{r.state}</span>],
    ["Exit code", r.exit_code ?? ""],
    ["Created", fmtTime(r.created_at)],
    ["Runtime", fmtDuration(r.duration)],
    ["Last step", r.last_step ?? ""],
    ["Host", r.host ?? ""],
    ["Command", cmd],
    ["Python", r.python_version ?? ""],
    ["Group", r.group ?? ""],
    ["Job type", r.job_type ?? ""],
    ["Tags", (r.tags ?? []).map((t) => <span class="tag" key={t}>{t}</span>)],
    ["Notes", r.notes ?? ""],
  ];
  return (
    <div class="overview">
      <table class="grid kv meta">
        <tbody>{rows.map(([k, v]) => <tr key={k} data-field={k}><td class="k">{k}</td><td class="v">{v}</td></tr>)}</tbody>
      </table>
      {r.traceback && <pre class="traceback">{r.traceback}</pre>}
      <div class="kv-cols">
        <KV obj={r.config} label="Config" />
        <KV obj={r.summary} label="Summary" />
      </div>
    </div>
  );
}

function SystemPanel({ name, t, v, t0, color }: { name: string; t: number[]; v: unknown[]; t0: number; color: string }) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const data = alignRuns([[v.map(num)]], [t.map((x) => x - t0)]);
  return (
    <div class="panel" data-key={name}>
      <div class="panel-title">{name}</div>
      <div ref={ref}>
        <LineChart data={data as any} runs={[{ name, color }]} width={width} log={false} time={false}
          xLabel="seconds" zoom={null} onZoom={() => undefined} band={false} />
      </div>
    </div>
  );
}

function SystemTab({ project, r }: { project: string; r: RunDetail }) {
  const s = useAsync(() => api.system(project, r.id), [project, r.id, runVersion(r)]);
  if (s.error) return <div class="error">{s.error}</div>;
  if (!s.data) return <div class="empty">Loading…</div>;
  const keys = Object.keys(s.data.series).sort();
  if (!keys.length) return <div class="empty">No system metrics logged for this run.</div>;
  return (
    <div class="panels system">
      {keys.map((k) => <SystemPanel key={k} name={k} t={s.data!.series[k].t} v={s.data!.series[k].v} t0={r.created_at} color="#5387DD" />)}
    </div>
  );
}

function LogsTab({ project, r }: { project: string; r: RunDetail }) {
  const s = useAsync(() => api.console(project, r.id), [project, r.id, runVersion(r)]);
  if (s.error) return <div class="error">{s.error}</div>;
  if (!s.data) return <div class="empty">Loading…</div>;
  if (!s.data.lines.length) return <div class="empty">No console output logged for this run.</div>;
  return (
    <pre class="console">{s.data.lines.map((l) => <span key={l.seq} class={l.stream === "stderr" ? "stderr" : "stdout"}>{l.text}</span>)}</pre>
  );
}

export function RunPage({ project, runId }: { project: string; runId: string }) {
  const { view, setView } = useNav();
  const [tick, setTick] = useState(0);
  const d = useAsync(() => api.run(project, runId), [project, runId, tick]);
  usePoll(() => setTick((t) => t + 1), 2000, !d.data || d.data.state === "running");
  if (d.error && !d.data) return <div class="page"><div class="error">{d.error}</div></div>;
  if (!d.data) return <div class="page"><div class="empty">Loading…</div></div>;
  const r = d.data;
  const color = assignColors([r]).get(r.id)!;
  const tab = TABS.some(([t]) => t === view.tab) ? view.tab : "overview";
  return (
    <div class="page run-page">
      <h1 class="run-title"><span class="dot big" style={{ background: color }} />{r.name || r.id} <span class={`state ${r.state}`}>{r.state}</span></h1>
      <div class="tabs">
        {TABS.map(([t, label]) => (
          <button key={t} class={tab === t ? "tab active" : "tab"} data-tab={t} onClick={() => setView({ tab: t }, true)}>{label}</button>
        ))}
      </div>
      {tab === "overview" && <Overview r={r} />}
      {tab === "charts" && <Workspace project={project} runs={[{ entry: r, color, version: runVersion(r) }]} />}
      {tab === "system" && <SystemTab project={project} r={r} />}
      {tab === "logs" && <LogsTab project={project} r={r} />}
    </div>
  );
}
