/**
 * The server's /api/v1 read endpoints (docs/server-api.md), typed. Every call
 * goes to the page's own origin. A non-2xx answer throws an `ApiError`
 * carrying the server's JSON message.
 */
export interface RunEntry {
  project: string; id: string; name: string; state: string; exit_code?: number | null;
  tags: string[]; group: string; job_type: string; notes: string;
  created_at: number; updated_at: number; duration: number; host: string;
  last_step: number; rows: number; config: Record<string, any>; summary: Record<string, any>;
}

export interface KeyInfo {
  name: string; type: string; count: number; first_step: number; last_step: number;
  min?: number | null; max?: number | null; last?: unknown;
}

export interface RunDetail extends RunEntry {
  traceback?: string; program?: string; args?: string[]; python_version?: string;
  metrics?: { name: string; step_metric?: string; summary?: string[]; goal?: string; hidden?: boolean }[];
  keys: KeyInfo[]; streams?: Record<string, number>; notices?: string[]; acked_seq?: number;
}

export interface SampledAnswer {
  x_axis: string; buckets: number; x_min?: number; x_max?: number;
  series: Record<string, { x: number[]; x_last: number[]; first: unknown[]; last: unknown[]; min: unknown[];
    max: unknown[]; count: number[] }>;
}

export class ApiError extends Error {
  constructor(public status: number, message: string) { super(message); }
}

async function getJSON<T>(path: string, params?: Record<string, string | number | undefined>): Promise<T> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined && v !== "") q.set(k, String(v));
  const qs = q.toString();
  const r = await fetch(`/api/v1${path}${qs ? `?${qs}` : ""}`, { headers: { Accept: "application/json" } });
  if (!r.ok) {
    let msg = `${r.status} ${r.statusText}`;
    try { const j = await r.json(); if (j && j.message) msg = j.message; } catch { /* not JSON */ }
    throw new ApiError(r.status, msg);
  }
  return r.json() as Promise<T>;
}

const runPath = (project: string, id: string) => `/runs/${encodeURIComponent(project)}/${encodeURIComponent(id)}`;

export const api = {
  projects: () => getJSON<{ projects: { name: string; runs: number; last_updated: number }[] }>("/projects"),

  async runs(project: string, filters: Record<string, unknown> | null, order: string): Promise<RunEntry[]> {
    const out: RunEntry[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const r = await getJSON<{ runs: RunEntry[]; next: string | null }>("/runs", {
        project, order, per_page: 1000, cursor, filters: filters ? JSON.stringify(filters) : undefined,
      });
      out.push(...r.runs);
      if (!r.next) break;
      cursor = r.next;
    }
    return out;
  },

  run: (project: string, id: string) => getJSON<RunDetail>(runPath(project, id)),

  sampled: (project: string, id: string, keys: string[], xAxis: string, buckets: number, range?: [number, number]) =>
    getJSON<SampledAnswer>(`${runPath(project, id)}/history/sampled`, {
      keys: keys.join(","), x_axis: xAxis, buckets, x_min: range?.[0], x_max: range?.[1],
    }),

  async history(project: string, id: string, keys: string[], maxRows = 10000): Promise<Record<string, any>[]> {
    const rows: Record<string, any>[] = [];
    let min: number | undefined;
    while (rows.length < maxRows) {
      const r = await getJSON<{ rows: Record<string, any>[]; next_min_step: number | null }>(`${runPath(project, id)}/history`,
        { keys: keys.join(","), limit: Math.min(10000, maxRows - rows.length), min_step: min });
      rows.push(...r.rows);
      if (r.next_min_step == null) break;
      min = r.next_min_step;
    }
    return rows;
  },

  system: (project: string, id: string) =>
    getJSON<{ keys: string[]; series: Record<string, { t: number[]; v: unknown[] }> }>(`${runPath(project, id)}/system`),

  console: (project: string, id: string, afterSeq = 0) =>
    getJSON<{ lines: { seq: number; stream: string; t: number; text: string }[]; next_after_seq: number | null }>(
      `${runPath(project, id)}/console`, { after_seq: afterSeq, limit: 10000 }),

  async fileJSON<T = any>(url: string): Promise<T> {
    const r = await fetch(url);
    if (!r.ok) throw new ApiError(r.status, `${r.status} fetching ${url}`);
    // Python's json writes NaN/Infinity; JSON.parse does not accept them.
    const text = await r.text();
    try { return JSON.parse(text); } catch {
      return JSON.parse(text.replace(/\bNaN\b|-?\bInfinity\b/g, "null"));
    }
  },
};
