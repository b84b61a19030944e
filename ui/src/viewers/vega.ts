/**
 * Custom charts (wandb.plot.* presets and plot_table): the stored Vega-Lite
 * spec drawn with vega-embed over the stored table's rows. A preset whose spec
 * is not stored (a user's own saved chart, e.g. `carey/new_chart`) is drawn as
 * a line of its mapped fields, with a note saying so. Loaded on demand.
 */
import embed from "vega-embed";
import { api } from "../api";

interface Args { tableUrl: string; specUrl: string | null; value: any; width: number }

function fallbackSpec(value: any): any {
  const fields: Record<string, string> = value?.panel_config?.fieldSettings ?? {};
  const names = Object.values(fields).filter((f) => typeof f === "string");
  const x = fields.x ?? names[0];
  const y = fields.y ?? fields.value ?? names.find((n) => n !== x);
  return {
    title: { text: `${value?.panel_config?.panelDefId ?? "custom chart"}`, subtitle: "preset not stored with the run: drawn as a line of its fields" },
    mark: { type: "line", point: true, tooltip: true },
    encoding: { x: { field: x, type: "quantitative" }, y: { field: y, type: "quantitative" } },
  };
}

export async function mount(el: HTMLElement, a: Args): Promise<() => void> {
  const [table, spec] = await Promise.all([
    api.fileJSON<{ columns: string[]; data: unknown[][] }>(a.tableUrl),
    a.specUrl ? api.fileJSON(a.specUrl) : Promise.resolve(null),
  ]);
  const rows = table.data.map((r) => Object.fromEntries(table.columns.map((c, i) => [c, r[i]])));
  const s: any = { ...(spec ?? fallbackSpec(a.value)) };
  delete s.$schema; // drawn by the bundled Vega-Lite, whatever version wrote it
  s.data = { values: rows };
  s.width = "container";
  s.height = 220;
  s.autosize = { type: "fit", contains: "padding" };
  if (s.title === "") delete s.title;
  const res = await embed(el, s, { actions: false, renderer: "canvas", mode: "vega-lite" });
  return () => res.finalize();
}
