/**
 * Mounts a heavy viewer loaded on demand (viewers/*: a separate chunk each).
 * A viewer module exports `mount(el, args) => Promise<cleanup>`; errors are
 * shown in the panel, and `data-ready` marks a mounted viewer for tests.
 */
import { useEffect, useRef, useState } from "preact/hooks";

export type Mount<A> = (el: HTMLElement, args: A) => Promise<() => void>;

export function Viewer<A>({ load, args, deps, class: cls }: { load: () => Promise<{ mount: Mount<A> }>; args: A; deps: unknown[]; class?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const [err, setErr] = useState<string | null>(null);
  useEffect(() => {
    let cleanup: (() => void) | null = null;
    let live = true;
    const el = ref.current!;
    delete el.dataset.ready;
    load()
      .then((m) => m.mount(el, args))
      .then((c) => { if (live) { cleanup = c; el.dataset.ready = "1"; } else c(); })
      .catch((e) => live && setErr(String(e?.message ?? e)));
    return () => { live = false; cleanup?.(); };
  }, deps);
  return (
    <div class={`viewer ${cls ?? ""}`}>
      {err && <div class="error">{err}</div>}
      <div ref={ref} class="viewer-mount" />
    </div>
  );
}
