/**
 * `/<project>`: the runs (filter, sort, select, colours) and the workspace of
 * the selected runs overlaid. Runs are re-read every 2 s, so live runs'
 * charts follow (each run's `version` changes when new data arrived).
 */
import { useMemo, useState } from "preact/hooks";
import { api, RunEntry } from "../api";
import { useAsync, usePoll } from "../hooks";
import { useNav } from "../router";
import { assignColors } from "../lib/colors";
import { parseFilter, matchesText } from "../lib/filters";
import { RunsTable, sortRuns } from "./RunsTable";
import { Workspace, ShownRun } from "./Workspace";

export const DEFAULT_SELECTED = 10;

export function runVersion(r: RunEntry): string {
  return `${r.state}:${r.rows}:${r.last_step}:${r.updated_at}`;
}

export function ProjectPage({ project }: { project: string }) {
  const { view, setView } = useNav();
  const [tick, setTick] = useState(0);
  usePoll(() => setTick((t) => t + 1), 2000);
  const parsed = useMemo(() => parseFilter(view.filter), [view.filter]);
  const all = useAsync(() => api.runs(project, null, "created_at"), [project, tick]);
  const filtered = useAsync(
    () => (parsed.mongo ? api.runs(project, parsed.mongo, "created_at") : Promise.resolve(null)),
    [project, JSON.stringify(parsed.mongo), tick],
  );
  const colors = useMemo(() => assignColors(all.data ?? []), [all.data]);
  const base = parsed.mongo ? filtered.data ?? [] : all.data ?? [];
  const runs = sortRuns(base.filter((r) => matchesText(r, parsed.text)), view.sort);
  const selected = view.sel ?? runs.slice(0, DEFAULT_SELECTED).map((r) => r.id);
  const shown: ShownRun[] = runs
    .filter((r) => selected.includes(r.id))
    .map((r) => ({ entry: r, color: colors.get(r.id) ?? "#888", version: runVersion(r) }));
  const toggle = (id: string) => {
    const s = new Set(selected);
    if (s.has(id)) s.delete(id); else s.add(id);
    setView({ sel: runs.filter((r) => s.has(r.id)).map((r) => r.id) });
  };
  const setAll = (on: boolean) => setView({ sel: on ? runs.map((r) => r.id) : [] });
  const tableTab = view.tab === "runs";
  const error = all.error ?? filtered.error;
  return (
    <div class={tableTab ? "project table-view" : "project"}>
      <div class="tabs">
        <button class={!tableTab ? "tab active" : "tab"} onClick={() => setView({ tab: "overview" }, true)}>Workspace</button>
        <button class={tableTab ? "tab active" : "tab"} onClick={() => setView({ tab: "runs" }, true)}>Runs</button>
        <span class="count">{runs.length} runs{selected.length ? `, ${shown.length} shown` : ""}</span>
      </div>
      {error && <div class="error">{error}</div>}
      {parsed.errors.map((e) => <div class="error" key={e}>filter: {e}</div>)}
      <div class="project-body">
        <RunsTable project={project} runs={runs} colors={colors} selected={selected} onToggle={toggle} onAll={setAll}
          compact={!tableTab} loading={all.loading && !all.data} />
        {!tableTab && <Workspace project={project} runs={shown} />}
      </div>
    </div>
  );
}
