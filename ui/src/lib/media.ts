/**
 * Media values as stored (src/tidelog/media/*: W&B's JSON layouts) -> what a
 * panel draws. `mediaItems` turns one history value into a flat list of items
 * with file paths; `panelKind` says which panel a key's values need;
 * `atStep` picks the value shown for a slider position.
 */
export type Kind =
  | "line" | "histogram" | "image" | "audio" | "video" | "table" | "vega" | "html"
  | "molecule" | "object3d" | "plotly" | "other";

export interface MediaItem {
  type: string;
  path: string;
  caption?: string;
  width?: number;
  height?: number;
  format?: string;
  value: Record<string, any>;
}

const FILE_KIND: Record<string, Kind> = {
  "image-file": "image", "images/separated": "image", "audio-file": "audio", audio: "audio",
  "video-file": "video", "table-file": "table", "html-file": "html", "molecule-file": "molecule",
  "object3D-file": "object3d", "object3d/list": "object3d", "plotly-file": "plotly", histogram: "histogram",
};

/** The panel a key needs, from its catalog type (`number`, or a value `_type`). */
export function kindOfType(type: string): Kind {
  if (type === "number") return "line";
  return FILE_KIND[type] ?? "other";
}

/** A table value that carries a Vega-Lite chart (plot.* presets, plot_table). */
export function isVega(v: any): boolean {
  return !!v && v._type === "table-file" && v.panel_type === "Vega2";
}

export function panelKind(v: any): Kind {
  if (v == null || typeof v !== "object") return typeof v === "number" ? "line" : "other";
  if (isVega(v)) return "vega";
  return FILE_KIND[v._type] ?? "other";
}

/** Every drawable item of one history value (a list of images is several). */
export function mediaItems(v: any): MediaItem[] {
  if (!v || typeof v !== "object") return [];
  switch (v._type) {
    case "images/separated":
      return (v.filenames ?? []).map((path: string, i: number) => ({
        type: "image-file", path, caption: v.captions?.[i] ?? undefined, width: v.width, height: v.height,
        format: v.format, value: { _type: "image-file", path, width: v.width, height: v.height },
      }));
    case "audio":
      return (v.audio ?? []).flatMap(mediaItems);
    case "object3d/list":
      return (v.items ?? []).flatMap(mediaItems);
    default:
      if (typeof v.path === "string") {
        return [{ type: v._type, path: v.path, caption: v.caption ?? undefined, width: v.width, height: v.height,
          format: v.format ?? extOf(v.path), value: v }];
      }
      return [];
  }
}

export function extOf(path: string): string {
  const name = path.split("/").pop() ?? "";
  const parts = name.split(".");
  return parts.length > 1 ? parts[parts.length - 1].toLowerCase() : "";
}

/** The URL of a run's file, through the server's file route. */
export function fileUrl(project: string, runId: string, path: string): string {
  const p = path.split("/").map(encodeURIComponent).join("/");
  return `/api/v1/runs/${encodeURIComponent(project)}/${encodeURIComponent(runId)}/files/${p}`;
}

export interface StepValue { step: number; value: any }

/** The value shown at a slider step: the last one logged at or before it (else the first). */
export function atStep(values: StepValue[], step: number): StepValue | undefined {
  if (values.length === 0) return undefined;
  let lo = 0, hi = values.length - 1, best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid].step <= step) { best = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return values[best >= 0 ? best : 0];
}

/** Union of the steps of several runs' values, sorted, for one shared slider. */
export function unionSteps(lists: StepValue[][]): number[] {
  const s = new Set<number>();
  for (const l of lists) for (const v of l) s.add(v.step);
  return [...s].sort((a, b) => a - b);
}
