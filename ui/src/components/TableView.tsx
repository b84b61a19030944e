/**
 * A logged wandb.Table: sort by a column (click its header), filter rows by
 * text, page through 10 rows at a time; cells holding media are shown as
 * media (images inline, audio/video players, other types by name). Text
 * cells are text.
 */
import { useState } from "preact/hooks";
import { api } from "../api";
import { useAsync } from "../hooks";
import { fileUrl, itemUrl, mediaItems } from "../lib/media";
import { fmtValue } from "../lib/format";

const PAGE = 10;

function Cell({ project, runId, v }: { project: string; runId: string; v: any }) {
  if (v && typeof v === "object" && typeof v._type === "string") {
    const items = mediaItems(v);
    return (
      <span class="media-cell">
        {items.map((it) => {
          const url = itemUrl(project, runId, it);
          if (it.type === "image-file") return <img key={it.path} src={url} class="cell-img pixelated" alt={it.caption ?? ""} />;
          if (it.type === "audio-file") return <audio key={it.path} controls src={url} />;
          if (it.type === "video-file" && it.format === "gif") return <img key={it.path} src={url} class="cell-img" alt="" />;
          if (it.type === "video-file") return <video key={it.path} controls src={url} class="cell-video" />;
          return <a key={it.path} href={url} target="_blank" rel="noopener">{it.type}</a>;
        })}
        {items.length === 0 && <span>[{v._type}]</span>}
      </span>
    );
  }
  return <>{fmtValue(v)}</>;
}

function sortKey(v: any): number | string {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  return fmtValue(v);
}

export function TableView({ project, runId, path }: { project: string; runId: string; path: string }) {
  const t = useAsync(() => api.fileJSON<{ columns: string[]; data: any[][] }>(fileUrl(project, runId, path)), [path]);
  const [sort, setSort] = useState<{ col: number; desc: boolean } | null>(null);
  const [q, setQ] = useState("");
  const [page, setPage] = useState(0);
  if (t.error) return <div class="error">{t.error}</div>;
  if (!t.data) return <div class="empty">Loading…</div>;
  const { columns, data } = t.data;
  let rows = data.map((r, i) => ({ r, i }));
  if (q) {
    const low = q.toLowerCase();
    rows = rows.filter(({ r }) => r.some((c) => fmtValue(c).toLowerCase().includes(low)));
  }
  if (sort) {
    rows.sort((a, b) => {
      const x = sortKey(a.r[sort.col]), y = sortKey(b.r[sort.col]);
      const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
      return sort.desc ? -c : c;
    });
  }
  const pages = Math.max(1, Math.ceil(rows.length / PAGE));
  const p = Math.min(page, pages - 1);
  return (
    <div class="table-view">
      <input type="search" class="table-filter" placeholder="Filter rows" value={q}
        onInput={(e) => { setQ((e.target as HTMLInputElement).value); setPage(0); }} />
      <div class="table-scroll">
        <table class="grid data-table">
          <thead><tr><th class="rownum">#</th>{columns.map((c, i) => (
            <th key={i} class="sortable" onClick={() => setSort(sort?.col === i ? { col: i, desc: !sort.desc } : { col: i, desc: false })}>
              {c}{sort?.col === i ? (sort.desc ? " ▼" : " ▲") : ""}
            </th>
          ))}</tr></thead>
          <tbody>
            {rows.slice(p * PAGE, p * PAGE + PAGE).map(({ r, i }) => (
              <tr key={i}><td class="rownum">{i}</td>{r.map((c, j) => <td key={j}><Cell project={project} runId={runId} v={c} /></td>)}</tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="pager">
        <button class="prev" disabled={p === 0} onClick={() => setPage(p - 1)}>‹</button>
        <span class="page-of">{rows.length ? `${p * PAGE + 1}–${Math.min(rows.length, p * PAGE + PAGE)} of ${rows.length}` : "0 rows"}</span>
        <button class="next" disabled={p >= pages - 1} onClick={() => setPage(p + 1)}>›</button>
      </div>
    </div>
  );
}
