/**
 * One image with its segmentation masks and bounding boxes, drawn on a canvas
 * as W&B's image panel does: per mask group a toggle, a class legend with
 * per-class toggles and an opacity slider; per box group a toggle, per-class
 * toggles and a slider per score key (boxes scoring below it are hidden).
 * Captions and labels are text (canvas text or DOM textContent).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { MediaItem, fileUrl, itemUrl } from "../lib/media";
import { boxRect, classLabel, groupClasses, scoreRanges, visibleBoxes, BoxGroup } from "../lib/boxes";
import { classColor } from "../lib/colors";
import { fmtNum } from "../lib/format";

interface MaskState { on: boolean; hidden: Set<number> }

async function loadBitmap(url: string): Promise<ImageBitmap> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${r.status} loading ${url}`);
  return createImageBitmap(await r.blob(), { colorSpaceConversion: "none", premultiplyAlpha: "none" });
}

function classIds(bm: ImageBitmap): Uint8Array {
  const c = new OffscreenCanvas(bm.width, bm.height);
  const g = c.getContext("2d", { willReadFrequently: true })!;
  g.drawImage(bm, 0, 0);
  const px = g.getImageData(0, 0, bm.width, bm.height).data;
  const ids = new Uint8Array(bm.width * bm.height);
  for (let i = 0; i < ids.length; i++) ids[i] = px[i * 4];
  return ids;
}

export function ImageView({ project, runId, item, maxWidth }: { project: string; runId: string; item: MediaItem; maxWidth: number }) {
  const v = item.value;
  const maskNames = Object.keys(v.masks ?? {});
  const boxNames = Object.keys(v.boxes ?? {});
  const plain = maskNames.length === 0 && boxNames.length === 0;
  const canvas = useRef<HTMLCanvasElement>(null);
  const [img, setImg] = useState<ImageBitmap | null>(null);
  const [masks, setMasks] = useState<Record<string, Uint8Array>>({});
  const [maskState, setMaskState] = useState<Record<string, MaskState>>(() =>
    Object.fromEntries(maskNames.map((n) => [n, { on: true, hidden: new Set<number>() }])));
  const [opacity, setOpacity] = useState(0.6);
  const [boxOn, setBoxOn] = useState<Record<string, boolean>>(() => Object.fromEntries(boxNames.map((n) => [n, true])));
  const [hiddenBoxClasses, setHiddenBoxClasses] = useState<Record<string, Set<number>>>({});
  const groups: Record<string, BoxGroup> = v.boxes ?? {};
  const ranges = scoreRanges(Object.values(groups));
  const [scoreMin, setScoreMin] = useState<Record<string, number>>({});
  const [err, setErr] = useState<string | null>(null);

  useEffect(() => {
    if (plain) return;
    let live = true;
    loadBitmap(itemUrl(project, runId, item)).then((b) => live && setImg(b), (e) => live && setErr(String(e)));
    Promise.all(maskNames.map((n) => loadBitmap(fileUrl(project, runId, v.masks[n].path)).then((b) => [n, classIds(b)] as const)))
      .then((l) => live && setMasks(Object.fromEntries(l)), (e) => live && setErr(String(e)));
    return () => { live = false; };
  }, [item.path]);

  const w = img?.width ?? item.width ?? 1, h = img?.height ?? item.height ?? 1;
  const scale = Math.max(1, Math.min(maxWidth / w, 320 / h));
  const dw = Math.round(w * scale), dh = Math.round(h * scale);

  useEffect(() => {
    const c = canvas.current;
    if (!c || !img) return;
    c.width = dw; c.height = dh;
    const g = c.getContext("2d")!;
    g.imageSmoothingEnabled = false;
    g.drawImage(img, 0, 0, dw, dh);
    // Each mask group is its own layer at the chosen opacity, so overlapping groups blend.
    g.globalAlpha = opacity;
    for (const n of maskNames) {
      const st = maskState[n], ids = masks[n];
      if (!st?.on || !ids) continue;
      const known = new Set(groupClasses(v.masks[n].class_labels));
      const layer = new OffscreenCanvas(w, h);
      const lg = layer.getContext("2d")!;
      const data = lg.createImageData(w, h);
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i];
        if (st.hidden.has(id) || (known.size > 0 && !known.has(id))) continue;
        const [r, gg, b] = classColor(id);
        data.data[i * 4] = r; data.data[i * 4 + 1] = gg; data.data[i * 4 + 2] = b; data.data[i * 4 + 3] = 255;
      }
      lg.putImageData(data, 0, 0);
      g.drawImage(layer, 0, 0, dw, dh);
    }
    g.globalAlpha = 1;
    g.font = "11px sans-serif";
    let count = 0;
    for (const n of boxNames) {
      if (!boxOn[n]) continue;
      const grp = groups[n];
      for (const b of visibleBoxes(grp, { hiddenClasses: hiddenBoxClasses[n] ?? new Set(), scoreMin })) {
        const rc = boxRect(b, w, h);
        const [r, gg, bb] = classColor(b.class_id);
        g.strokeStyle = `rgb(${r},${gg},${bb})`;
        g.lineWidth = 2;
        g.strokeRect(rc.x * scale, rc.y * scale, rc.w * scale, rc.h * scale);
        const label = b.box_caption ?? classLabel(grp.class_labels, b.class_id);
        const tw = g.measureText(label).width + 6;
        g.fillStyle = `rgb(${r},${gg},${bb})`;
        g.fillRect(rc.x * scale, rc.y * scale - 14, tw, 14);
        g.fillStyle = "#fff";
        g.fillText(label, rc.x * scale + 3, rc.y * scale - 3);
        count++;
      }
    }
    c.dataset.boxes = String(count);
    c.dataset.ready = "1";
  });

  if (plain) {
    return (
      <figure class="media-item image">
        <img src={itemUrl(project, runId, item)} width={Math.round((item.width ?? 64) * Math.max(1, Math.min(maxWidth / (item.width ?? 64), 200 / (item.height ?? 64))))}
          alt={item.caption ?? ""} class="pixelated" />
        {item.caption && <figcaption>{item.caption}</figcaption>}
      </figure>
    );
  }
  const toggleMaskClass = (n: string, id: number) => setMaskState((s) => {
    const hidden = new Set(s[n].hidden);
    if (hidden.has(id)) hidden.delete(id); else hidden.add(id);
    return { ...s, [n]: { ...s[n], hidden } };
  });
  const toggleBoxClass = (n: string, id: number) => setHiddenBoxClasses((s) => {
    const hidden = new Set(s[n] ?? []);
    if (hidden.has(id)) hidden.delete(id); else hidden.add(id);
    return { ...s, [n]: hidden };
  });
  return (
    <figure class="media-item image annotated">
      {err && <div class="error">{err}</div>}
      <canvas ref={canvas} class="annotated-canvas" style={{ width: `${dw}px`, height: `${dh}px` }} />
      {item.caption && <figcaption>{item.caption}</figcaption>}
      <div class="overlay-controls">
        {maskNames.map((n) => (
          <div class="mask-group" data-group={n} key={n}>
            <label class="group-toggle"><input type="checkbox" checked={maskState[n]?.on}
              onChange={() => setMaskState((s) => ({ ...s, [n]: { ...s[n], on: !s[n].on } }))} /> mask: {n}</label>
            <div class="chips">
              {groupClasses(v.masks[n].class_labels).map((id) => (
                <button key={id} data-class={id} class={maskState[n]?.hidden.has(id) ? "class-chip off" : "class-chip"}
                  onClick={() => toggleMaskClass(n, id)}>
                  <span class="swatch" style={{ background: `rgb(${classColor(id).join(",")})` }} />{classLabel(v.masks[n].class_labels, id)}
                </button>
              ))}
            </div>
          </div>
        ))}
        {maskNames.length > 0 && (
          <label class="opacity">Opacity <input type="range" class="mask-opacity" min="0" max="1" step="0.05" value={opacity}
            onInput={(e) => setOpacity(Number((e.target as HTMLInputElement).value))} /></label>
        )}
        {boxNames.map((n) => (
          <div class="box-group" data-group={n} key={n}>
            <label class="group-toggle"><input type="checkbox" checked={boxOn[n]} onChange={() => setBoxOn((s) => ({ ...s, [n]: !s[n] }))} /> boxes: {n}</label>
            <div class="chips">
              {groupClasses(groups[n].class_labels, groups[n].box_data).map((id) => (
                <button key={id} data-class={id} class={hiddenBoxClasses[n]?.has(id) ? "class-chip off" : "class-chip"}
                  onClick={() => toggleBoxClass(n, id)}>
                  <span class="swatch" style={{ background: `rgb(${classColor(id).join(",")})` }} />{classLabel(groups[n].class_labels, id)}
                </button>
              ))}
            </div>
          </div>
        ))}
        {Object.entries(ranges).map(([k, [lo, hi]]) => (
          <label class="score" key={k} data-score={k}>{k} ≥ <span class="score-value">{fmtNum(scoreMin[k] ?? lo)}</span>
            <input type="range" class="score-slider" min={lo} max={hi} step={(hi - lo) / 100 || 0.01} value={scoreMin[k] ?? lo}
              onInput={(e) => setScoreMin((s) => ({ ...s, [k]: Number((e.target as HTMLInputElement).value) }))} />
          </label>
        ))}
      </div>
    </figure>
  );
}
