/**
 * Data hooks: `useAsync` runs a loader when its deps change and keeps the last
 * good value while reloading (so live refreshes do not blank a panel);
 * `usePoll` re-runs a callback every `ms`; `useVisible` says once an element
 * has come near the viewport (panels load their data lazily).
 */
import { useEffect, useRef, useState } from "preact/hooks";

export interface Async<T> { data: T | undefined; error: string | undefined; loading: boolean }

export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): Async<T> {
  const [s, set] = useState<Async<T>>({ data: undefined, error: undefined, loading: true });
  useEffect(() => {
    let live = true;
    set((p) => ({ ...p, loading: true }));
    load().then(
      (data) => live && set({ data, error: undefined, loading: false }),
      (e) => live && set((p) => ({ data: p.data, error: String(e?.message ?? e), loading: false })),
    );
    return () => { live = false; };
  }, deps);
  return s;
}

export function usePoll(fn: () => void, ms: number, enabled = true) {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    if (!enabled) return;
    const t = setInterval(() => { if (!document.hidden) ref.current(); }, ms);
    return () => clearInterval(t);
  }, [ms, enabled]);
}

export function useVisible<T extends Element>(): [preact.RefObject<T>, boolean] {
  const ref = useRef<T>(null);
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    if (seen || !ref.current) return;
    const io = new IntersectionObserver((es) => { if (es.some((e) => e.isIntersecting)) { setSeen(true); io.disconnect(); } },
      { rootMargin: "300px" });
    io.observe(ref.current);
    return () => io.disconnect();
  }, [seen]);
  return [ref, seen];
}

export function useWidth<T extends Element>(): [preact.RefObject<T>, number] {
  const ref = useRef<T>(null);
  const [w, setW] = useState(0);
  useEffect(() => {
    if (!ref.current) return;
    const ro = new ResizeObserver((es) => setW(Math.floor(es[0].contentRect.width)));
    ro.observe(ref.current);
    return () => ro.disconnect();
  }, []);
  return [ref, w];
}
