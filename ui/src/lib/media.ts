/**
 * Media values as stored (src/tidelog/media/*: W&B's JSON layouts) -> what a
 * panel draws. `mediaItems` turns one history value into a flat list of items
 * with file paths; `panelKind` says which panel a key's values need;
 * `atStep` picks the value shown for a slider position.
 */
export type Kind =
  | "line" | "histogram" | "image" | "audio" | "video" | "table" | "vega" | "html"
  | "molecule" | "object3d" | "plotly" | "media" | "other";

export interface MediaItem {
  type: string;
  path: string;
  /** Content hash when the value names a file only by a hashed file name (the list form of images). */
  sha256?: string;
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
  // Several W&B types under one key (images, then audio, then a table): each value decides.
  if (type === "mixed") return "media";
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
        type: "image-file", path, sha256: hashOfName(path), caption: v.captions?.[i] ?? undefined, width: v.width, height: v.height,
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

/** The sha256 a content-addressed file name starts with (`media/images/<sha256>.png`), if any. */
export function hashOfName(path: string): string | undefined {
  const m = /^([0-9a-f]{64})\./.exec(path.split("/").pop() ?? "");
  return m ? m[1] : undefined;
}

/**
 * Where the browser fetches an item: the run's file route, or, for files the
 * value names only by a hashed file name, the content-addressed media route.
 */
export function itemUrl(project: string, runId: string, item: { path: string; sha256?: string }): string {
  return item.sha256 ? `/api/v1/media/${item.sha256}` : fileUrl(project, runId, item.path);
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
