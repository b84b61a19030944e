/**
 * Run colours: one colour per run, fixed by the run's place in the project's
 * run list (oldest first), so a run keeps its colour in every panel and after
 * a reload, whatever is selected or sorted.
 */
export const PALETTE = [
  "#5387DD", "#DA4C4C", "#479A5F", "#E87B38", "#7D54B2", "#229487",
  "#C565C7", "#A46750", "#EDB732", "#A0C75C", "#E17FA4", "#8A8A8A",
  "#3A5FB0", "#B03A3A", "#2E6B40", "#B35A20", "#5A3A85", "#176B62",
  "#8E3F90", "#74483A",
];

export interface HasOrder { id: string; created_at?: number }

/** Colour map for runs: ordered by created_at, then id; palette cycles. */
export function assignColors(runs: HasOrder[]): Map<string, string> {
  const sorted = [...runs].sort((a, b) =>
    (a.created_at ?? 0) - (b.created_at ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const m = new Map<string, string>();
  sorted.forEach((r, i) => m.set(r.id, PALETTE[i % PALETTE.length]));
  return m;
}

/** `#rrggbb` with an alpha, as `rgba(...)`. */
export function withAlpha(hex: string, a: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${a})`;
}

/** The 14 category colours of W&B point clouds (category 1..14). */
export const CATEGORY_COLORS: [number, number, number][] = [
  [255, 0, 0], [0, 200, 0], [0, 0, 255], [255, 200, 0], [255, 0, 255], [0, 220, 220], [128, 0, 0],
  [0, 128, 0], [0, 0, 128], [128, 128, 0], [128, 0, 128], [0, 128, 128], [255, 128, 0], [128, 128, 255],
];

/** A class colour for masks and boxes: stable by class id. */
export function classColor(id: number): [number, number, number] {
  return CATEGORY_COLORS[((id % 14) + 14) % 14];
}
