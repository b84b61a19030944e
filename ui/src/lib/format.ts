/** Number, time and duration formatting shared by tables, tooltips and the overview. */
export function fmtNum(v: unknown): string {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return String(v);
    if (Number.isInteger(v)) return String(v);
    const a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3);
    return String(Number(v.toPrecision(5)));
  }
  return fmtValue(v);
}

/** Any JSON value as short text (objects as compact JSON). Never HTML. */
export function fmtValue(v: unknown): string {
  if (v == null) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number") return fmtNum(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "object" && v && typeof (v as any)._type === "string") return `[${(v as any)._type}]`;
  return JSON.stringify(v);
}

export function fmtDuration(sec: unknown): string {
  if (typeof sec !== "number" || !Number.isFinite(sec) || sec < 0) return "";
  const s = Math.round(sec);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  if (h) return `${h}h ${m}m ${r}s`;
  if (m) return `${m}m ${r}s`;
  return `${r}s`;
}

export function fmtTime(t: unknown): string {
  if (typeof t !== "number" || !Number.isFinite(t)) return "";
  const d = new Date(t * 1000);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Flatten nested config/summary objects into dotted keys (media values kept whole). */
export function flatten(obj: Record<string, unknown> | undefined, prefix = "", out: Record<string, unknown> = {}) {
  if (!obj) return out;
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === "object" && !Array.isArray(v) && typeof (v as any)._type !== "string") {
      flatten(v as Record<string, unknown>, key, out);
    } else out[key] = v;
  }
  return out;
}
