/**
 * Bounding boxes and masks on an image, as W&B's image panel filters them.
 * `boxRect` converts either position form (minX/maxX/minY/maxY or
 * middle/width/height) in either domain (fractions by default, pixels with
 * `domain: "pixel"`) to a pixel rectangle. `visibleBoxes` applies the class
 * toggles and the score-range sliders; `scoreRanges` lists the score keys a
 * panel needs sliders for.
 */
export interface Box {
  position: { minX?: number; maxX?: number; minY?: number; maxY?: number; middle?: [number, number];
    width?: number; height?: number };
  class_id: number;
  box_caption?: string;
  scores?: Record<string, number>;
  domain?: string;
}

export interface BoxGroup { box_data: Box[]; class_labels?: Record<string, string> }

export interface Rect { x: number; y: number; w: number; h: number }

export function boxRect(b: Box, width: number, height: number): Rect {
  const p = b.position;
  const sx = b.domain === "pixel" ? 1 : width;
  const sy = b.domain === "pixel" ? 1 : height;
  let x0: number, x1: number, y0: number, y1: number;
  if (p.middle) {
    const [mx, my] = p.middle;
    x0 = mx - (p.width ?? 0) / 2; x1 = mx + (p.width ?? 0) / 2;
    y0 = my - (p.height ?? 0) / 2; y1 = my + (p.height ?? 0) / 2;
  } else {
    x0 = p.minX ?? 0; x1 = p.maxX ?? 0; y0 = p.minY ?? 0; y1 = p.maxY ?? 0;
  }
  return { x: x0 * sx, y: y0 * sy, w: (x1 - x0) * sx, h: (y1 - y0) * sy };
}

export function classLabel(labels: Record<string, string> | undefined, id: number): string {
  return labels?.[String(id)] ?? `class_${id}`;
}

export type ScoreRanges = Record<string, [number, number]>;

/** Each score key's [min, max] over the groups' boxes. */
export function scoreRanges(groups: BoxGroup[]): ScoreRanges {
  const r: ScoreRanges = {};
  for (const g of groups) for (const b of g.box_data ?? []) for (const [k, v] of Object.entries(b.scores ?? {})) {
    if (typeof v !== "number") continue;
    const cur = r[k];
    r[k] = cur ? [Math.min(cur[0], v), Math.max(cur[1], v)] : [v, v];
  }
  return r;
}

export interface BoxFilter {
  hiddenClasses: Set<number>;
  scoreMin: Record<string, number>; // a box with a score below its slider is hidden
}

export function visibleBoxes(g: BoxGroup, f: BoxFilter): Box[] {
  return (g.box_data ?? []).filter((b) => {
    if (f.hiddenClasses.has(b.class_id)) return false;
    for (const [k, min] of Object.entries(f.scoreMin)) {
      const s = b.scores?.[k];
      if (typeof s === "number" && s < min) return false;
    }
    return true;
  });
}

/** The class ids a mask or box group shows in its legend: its labels, then ids only seen in boxes. */
export function groupClasses(labels: Record<string, string> | undefined, boxes: Box[] = []): number[] {
  const ids = new Set<number>(Object.keys(labels ?? {}).map(Number));
  for (const b of boxes) ids.add(b.class_id);
  return [...ids].sort((a, b) => a - b);
}
