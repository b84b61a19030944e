/**
 * Molecules (pdb, pqr, mmcif, sdf, mol2, gro, ...) in 3-D with 3Dmol.js:
 * sticks and spheres, rotate and zoom with the mouse. Loaded on demand.
 */
import * as $3Dmol from "3dmol";

const FORMATS: Record<string, string> = { mcif: "mcif", mmcif: "mcif", cif: "cif", sd: "sdf" };

export async function mount(el: HTMLElement, a: { url: string; format: string }): Promise<() => void> {
  const r = await fetch(a.url);
  if (!r.ok) throw new Error(`${r.status} loading the molecule`);
  const text = await r.text();
  const viewer = $3Dmol.createViewer(el, { backgroundColor: "#eef0f4", antialias: true } as any);
  viewer.addModel(text, FORMATS[a.format] ?? a.format, { keepH: true } as any); // W&B shows hydrogens too
  viewer.setStyle({}, { stick: { radius: 0.15 }, sphere: { scale: 0.25 } });
  viewer.zoomTo();
  viewer.zoom(1.6); // zoomTo leaves a wide margin; small molecules should fill the panel
  viewer.render();
  return () => viewer.clear();
}
