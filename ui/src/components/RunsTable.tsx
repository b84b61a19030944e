/**
 * The runs table: a filter box (lib/filters.ts words), sortable columns
 * (state, name, tags, created, duration, config and summary values chosen
 * with the Columns picker, kept in the URL), a
 * checkbox per run to show it in the workspace, the run's colour. Compact in
 * the workspace's sidebar; every column on the Runs tab. Everything a user
 * logged is rendered as text.
 */
import { RunEntry } from "../api";
import { useNav, Link } from "../router";
import { flatten, fmtDuration, fmtTime, fmtValue } from "../lib/format";

const MAX_DYNAMIC_COLS = 24;

function fieldValue(r: RunEntry, field: string): unknown {
  if (field === "name") return r.name || r.id;
  if (field === "tags") return (r.tags ?? []).join(",");
  if (field.startsWith("config.")) return flatten(r.config)[field.slice(7)];
  if (field.startsWith("summary.")) return flatten(r.summary)[field.slice(8)];
  return (r as any)[field];
}

function cmp(a: unknown, b: unknown): number {
  if (a == null && b == null) return 0;
  if (a == null) return 1;
  if (b == null) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b));
}

export function sortRuns(runs: RunEntry[], sort: string): RunEntry[] {
  const desc = sort.startsWith("-");
  const field = desc ? sort.slice(1) : sort;
  return [...runs].sort((x, y) => {
    const a = fieldValue(x, field), b = fieldValue(y, field);
    if (a == null || b == null) return cmp(a, b); // missing values last either way
    return desc ? cmp(b, a) : cmp(a, b);
  });
}

/** Every config key and scalar summary key of the runs, as `config.x` / `summary.y`, sorted. */
export function availableColumns(runs: RunEntry[]): string[] {
  const cfg = new Set<string>(), sum = new Set<string>();
  for (const r of runs) {
    for (const k of Object.keys(flatten(r.config))) cfg.add(`config.${k}`);
    for (const [k, v] of Object.entries(flatten(r.summary))) {
      if (!k.startsWith("_") && (typeof v === "number" || typeof v === "string" || typeof v === "boolean")) sum.add(`summary.${k}`);
    }
  }
  return [...[...cfg].sort(), ...[...sum].sort()];
}

function ColumnPicker({ all, shown, onChange }: { all: string[]; shown: string[]; onChange: (c: string[]) => void }) {
  return (
    <details class="col-picker">
      <summary>Columns ({shown.length}/{all.length})</summary>
      <div class="col-list">
        {all.map((c) => (
          <label key={c}><input type="checkbox" data-col={c} checked={shown.includes(c)}
            onChange={() => onChange(shown.includes(c) ? shown.filter((x) => x !== c) : all.filter((x) => x === c || shown.includes(x)))} /> {c}</label>
        ))}
      </div>
    </details>
  );
}

interface Props {
  project: string; runs: RunEntry[]; colors: Map<string, string>; selected: string[];
  onToggle: (id: string) => void; onAll: (on: boolean) => void; compact: boolean; loading: boolean;
}

export function RunsTable(p: Props) {
  const { view, setView } = useNav();
  const sortBy = (f: string) => setView({ sort: view.sort === `-${f}` ? f : `-${f}` });
  const arrow = (f: string) => (view.sort === f ? " ▲" : view.sort === `-${f}` ? " ▼" : "");
  const Th = ({ f, label }: { f: string; label: string }) => (
    <th class="sortable" data-field={f} onClick={() => sortBy(f)} title={`sort by ${f}`}>{label}{arrow(f)}</th>
  );
  const all = p.compact ? [] : availableColumns(p.runs);
  const dyn = p.compact ? [] : view.cols ? view.cols.filter((c) => all.includes(c)) : all.slice(0, MAX_DYNAMIC_COLS);
  const allOn = p.runs.length > 0 && p.runs.every((r) => p.selected.includes(r.id));
  return (
    <div class={p.compact ? "runs compact" : "runs"}>
      <div class="runs-bar">
        <input class="filter" type="search" placeholder="Filter runs: text, state:finished, tag:x, lr>0.01, summary.acc>=0.9"
          value={view.filter} onChange={(e) => setView({ filter: (e.target as HTMLInputElement).value })} />
        {!p.compact && <ColumnPicker all={all} shown={dyn} onChange={(c) => setView({ cols: c })} />}
      </div>
      <div class="runs-scroll">
        <table class="grid runs-table">
          <thead>
            <tr>
              <th><input type="checkbox" title="show all" checked={allOn} onChange={() => p.onAll(!allOn)} /></th>
              <Th f="name" label="Name" />
              <Th f="state" label="State" />
              {!p.compact && <Th f="tags" label="Tags" />}
              {!p.compact && <Th f="created_at" label="Created" />}
              {!p.compact && <Th f="duration" label="Runtime" />}
              {dyn.map((f) => <Th key={f} f={f} label={f} />)}
            </tr>
          </thead>
          <tbody>
            {p.runs.map((r) => {
              const on = p.selected.includes(r.id);
              const cfg = flatten(r.config), sum = flatten(r.summary);
              return (
                <tr key={r.id} class={on ? "run-row on" : "run-row"} data-run={r.id}>
                  <td><input type="checkbox" class="sel" checked={on} onChange={() => p.onToggle(r.id)} /></td>
                  <td class="name">
                    <span class="dot" style={{ background: p.colors.get(r.id) }} />
                    <Link href={`/${encodeURIComponent(p.project)}/runs/${encodeURIComponent(r.id)}`}>{r.name || r.id}</Link>
                  </td>
                  <td><span class={`state ${r.state}`}>{r.state}</span></td>
                  {!p.compact && <td>{(r.tags ?? []).map((t) => <span class="tag" key={t}>{t}</span>)}</td>}
                  {!p.compact && <td>{fmtTime(r.created_at)}</td>}
                  {!p.compact && <td class="num">{fmtDuration(r.duration)}</td>}
                  {dyn.map((f) => (
                    <td key={f} class="num">{fmtValue(f.startsWith("config.") ? cfg[f.slice(7)] : sum[f.slice(8)])}</td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
        {p.loading && <div class="empty">Loading runs…</div>}
        {!p.loading && p.runs.length === 0 && <div class="empty">No runs match.</div>}
      </div>
    </div>
  );
}
