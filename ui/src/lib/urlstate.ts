/**
 * The URL is the view state. Paths: `/` projects, `/<project>` runs table and
 * workspace, `/<project>/runs/<run_id>` one run. Query keys hold what a user
 * would share: selected runs, x-axis, smoothing, log scale, key search, zoom,
 * sort, filter, the run page's tab. Defaults are left out so URLs stay short.
 */
export type Route =
  | { page: "projects" }
  | { page: "project"; project: string }
  | { page: "run"; project: string; runId: string };

export interface ViewState {
  sel: string[] | null;   // selected run ids; null = the first runs shown
  x: string;              // x-axis key
  smooth: number;         // EMA weight 0..0.99
  log: boolean;           // log-scale y
  q: string;              // key search
  zoom: [number, number] | null;
  sort: string;           // runs table sort: field, '-' for descending
  filter: string;         // runs filter text
  tab: string;            // run page tab
  step: Record<string, number>; // media slider steps per key
  cols: string[] | null;  // runs table config/summary columns; null = the first ones found
}

export const DEFAULT_VIEW: ViewState = {
  sel: null, x: "_step", smooth: 0, log: false, q: "", zoom: null, sort: "-created_at", filter: "",
  tab: "overview", step: {}, cols: null,
};

export function parseRoute(pathname: string): Route {
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { page: "projects" };
  if (parts.length >= 3 && parts[1] === "runs") return { page: "run", project: parts[0], runId: parts[2] };
  return { page: "project", project: parts[0] };
}

export function routePath(r: Route): string {
  if (r.page === "projects") return "/";
  if (r.page === "project") return `/${encodeURIComponent(r.project)}`;
  return `/${encodeURIComponent(r.project)}/runs/${encodeURIComponent(r.runId)}`;
}

export function parseView(search: string): ViewState {
  const p = new URLSearchParams(search);
  const v: ViewState = { ...DEFAULT_VIEW, step: {} };
  const cols = p.get("cols");
  if (cols !== null) v.cols = cols ? cols.split(",") : [];
  const sel = p.get("sel");
  if (sel !== null) v.sel = sel ? sel.split(",") : [];
  v.x = p.get("x") || DEFAULT_VIEW.x;
  const sm = Number(p.get("smooth"));
  v.smooth = Number.isFinite(sm) && sm > 0 && sm < 1 ? sm : 0;
  v.log = p.get("log") === "1";
  v.q = p.get("q") ?? "";
  const z = (p.get("zoom") ?? "").split(",").map(Number);
  v.zoom = z.length === 2 && z.every(Number.isFinite) && z[0] < z[1] ? [z[0], z[1]] : null;
  v.sort = p.get("sort") || DEFAULT_VIEW.sort;
  v.filter = p.get("filter") ?? "";
  v.tab = p.get("tab") || DEFAULT_VIEW.tab;
  for (const [k, val] of p.entries()) {
    if (k.startsWith("step.")) {
      const n = Number(val);
      if (Number.isFinite(n)) v.step[k.slice(5)] = n;
    }
  }
  return v;
}

export function viewSearch(v: ViewState): string {
  const p = new URLSearchParams();
  if (v.sel !== null) p.set("sel", v.sel.join(","));
  if (v.x !== DEFAULT_VIEW.x) p.set("x", v.x);
  if (v.smooth) p.set("smooth", String(v.smooth));
  if (v.log) p.set("log", "1");
  if (v.q) p.set("q", v.q);
  if (v.zoom) p.set("zoom", `${v.zoom[0]},${v.zoom[1]}`);
  if (v.sort !== DEFAULT_VIEW.sort) p.set("sort", v.sort);
  if (v.filter) p.set("filter", v.filter);
  if (v.tab !== DEFAULT_VIEW.tab) p.set("tab", v.tab);
  for (const k of Object.keys(v.step).sort()) p.set(`step.${k}`, String(v.step[k]));
  if (v.cols !== null) p.set("cols", v.cols.join(","));
  const s = p.toString();
  return s ? `?${s}` : "";
}
