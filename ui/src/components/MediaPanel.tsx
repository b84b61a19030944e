/**
 * A media key's panel: one step slider over the steps any shown run logged
 * it at (kept in the URL), and for each run the value at that step: images
 * (masks, boxes), audio, video, tables, Vega charts, HTML in a sandboxed
 * iframe, molecules, 3-D objects and point clouds, Plotly figures.
 */
import { api } from "../api";
import { useAsync, useWidth } from "../hooks";
import { useNav } from "../router";
import { atStep, fileUrl, itemUrl, mediaItems, panelKind, unionSteps, Kind, MediaItem, StepValue } from "../lib/media";
import { StepSlider } from "./StepSlider";
import { ImageView } from "./ImageView";
import { TableView } from "./TableView";
import { Viewer } from "./Viewer";
import type { PanelRun } from "./Workspace";

export function ItemView({ project, runId, item, kind, width, value }: { project: string; runId: string; item: MediaItem; kind: Kind; width: number; value: any }) {
  const url = itemUrl(project, runId, item);
  switch (kind) {
    case "image":
      return <ImageView project={project} runId={runId} item={item} maxWidth={Math.max(120, width / 2 - 8)} />;
    case "audio":
      return <figure class="media-item audio"><audio controls preload="metadata" src={url} />{item.caption && <figcaption>{item.caption}</figcaption>}</figure>;
    case "video":
      return (
        <figure class="media-item video">
          {item.format === "gif" ? <img src={url} class="video-gif pixelated" width={Math.min(width, 256)} alt={item.caption ?? ""} />
            : <video controls preload="metadata" src={url} width={Math.min(width, 320)} />}
          {item.caption && <figcaption>{item.caption}</figcaption>}
        </figure>
      );
    case "table":
      return <TableView project={project} runId={runId} path={item.path} />;
    case "html":
      return <iframe class="html-frame" sandbox="allow-scripts" src={url} title="HTML" referrerpolicy="no-referrer" />;
    case "vega":
      return <Viewer class="vega" load={() => import("../viewers/vega")} args={{ tableUrl: url, value, specUrl: value.vega_spec?.path ? fileUrl(project, runId, value.vega_spec.path) : null, width }} deps={[url, width > 0]} />;
    case "molecule":
      return <Viewer class="molecule" load={() => import("../viewers/molecule")} args={{ url, format: item.format ?? "pdb" }} deps={[url]} />;
    case "object3d":
      return <Viewer class="object3d" load={() => import("../viewers/object3d")} args={{ url, format: item.format ?? "", path: item.path }} deps={[url]} />;
    case "plotly":
      return <Viewer class="plotly" load={() => import("../viewers/plotly")} args={{ url }} deps={[url]} />;
    default:
      return <a href={url}>{item.path}</a>;
  }
}

function RunMedia({ project, run, kind, sv, width }: { project: string; run: PanelRun; kind: Kind; sv: StepValue | undefined; width: number }) {
  const items = sv ? mediaItems(sv.value) : [];
  // One key can hold several W&B types over time (images, then audio, then a table): the value decides.
  const k = sv ? panelKind(sv.value) : kind;
  const itemKind = k === "other" || k === "line" ? kind : k;
  return (
    <div class="run-media" data-run={run.entry.id} data-step={sv?.step}>
      <div class="run-label"><span class="dot" style={{ background: run.color }} />{run.entry.name || run.entry.id}</div>
      <div class={`items items-${itemKind}`}>
        {items.map((it, i) => <ItemView key={`${it.path}-${i}`} project={project} runId={run.entry.id} item={it} kind={itemKind} width={width} value={sv!.value} />)}
        {sv && items.length === 0 && <div class="empty">Nothing to show at this step</div>}
      </div>
    </div>
  );
}

export function MediaPanel({ project, runs, keyName, kind }: { project: string; runs: PanelRun[]; keyName: string; kind: Kind }) {
  const { view, setView } = useNav();
  const [ref, width] = useWidth<HTMLDivElement>();
  const versions = runs.map((r) => `${r.entry.id}@${r.version}`).join(",");
  const values = useAsync(() => Promise.all(runs.map((r) => api.history(project, r.entry.id, [keyName])
    .then((rows) => rows.filter((row) => row[keyName] != null).map((row) => ({ step: row._step as number, value: row[keyName] }))))),
  [project, keyName, versions]);
  const lists = values.data ?? [];
  const steps = unionSteps(lists);
  const step = view.step[keyName] ?? steps[steps.length - 1] ?? 0;
  return (
    <div ref={ref} class="media-panel">
      {values.error && <div class="error">{values.error}</div>}
      {!values.data && !values.error && <div class="empty">Loading…</div>}
      {steps.length > 0 && <StepSlider steps={steps} step={step} onStep={(s) => setView({ step: { ...view.step, [keyName]: s } })} />}
      {runs.map((r, i) => <RunMedia key={r.entry.id} project={project} run={r} kind={kind} sv={lists[i] ? atStep(lists[i], step) : undefined} width={width} />)}
    </div>
  );
}
