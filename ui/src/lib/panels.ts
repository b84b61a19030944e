/**
 * The workspace layout from the run's key catalog: one panel per key, grouped
 * in sections by the key's prefix (`train/loss` -> "train"; keys without a
 * `/` go to "Charts", shown first), filtered by the key search (a substring,
 * or a /regex/), line charts first in each section, then media, by name.
 * Keys starting with `_` (`_step`, `_runtime`, `_timestamp`) are x-axes, not
 * panels.
 */
import { Kind, kindOfType } from "./media";

export interface CatalogKey { name: string; type: string; count?: number; last_step?: number }
export interface Panel { key: string; kind: Kind }
export interface Section { name: string; panels: Panel[] }

export function keyMatcher(q: string): (k: string) => boolean {
  const t = q.trim();
  if (!t) return () => true;
  const re = /^\/(.+)\/$/.exec(t);
  if (re) {
    try {
      const r = new RegExp(re[1], "i");
      return (k) => r.test(k);
    } catch {
      /* an unfinished regex matches as plain text */
    }
  }
  const low = t.toLowerCase();
  return (k) => k.toLowerCase().includes(low);
}

export function sections(keys: CatalogKey[], q: string): Section[] {
  const match = keyMatcher(q);
  const byName = new Map<string, Panel[]>();
  const seen = new Set<string>();
  for (const k of keys) {
    if (k.name.startsWith("_") || seen.has(k.name) || !match(k.name)) continue;
    const kind = kindOfType(k.type);
    if (kind === "other") continue;
    seen.add(k.name);
    const slash = k.name.indexOf("/");
    const sec = slash > 0 ? k.name.slice(0, slash) : "Charts";
    if (!byName.has(sec)) byName.set(sec, []);
    byName.get(sec)!.push({ key: k.name, kind });
  }
  const order = (p: Panel) => (p.kind === "line" ? 0 : 1);
  const out: Section[] = [];
  for (const [name, panels] of byName) {
    panels.sort((a, b) => order(a) - order(b) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    out.push({ name, panels });
  }
  out.sort((a, b) => (a.name === "Charts" ? -1 : b.name === "Charts" ? 1 : a.name < b.name ? -1 : 1));
  return out;
}

/** x-axis choices: the built-in axes and every numeric key of any run. */
export function xAxisChoices(keys: CatalogKey[]): string[] {
  const s = new Set(["_step", "_runtime", "_timestamp"]);
  for (const k of keys) if (k.type === "number") s.add(k.name);
  return [...s];
}
