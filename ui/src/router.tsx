/**
 * Location as app state: the path picks the page, the query string is the
 * view (lib/urlstate.ts). `setView` rewrites the query in place (replaceState)
 * so sliders and toggles do not flood the back button; `navigate` pushes.
 */
import { createContext } from "preact";
import { useContext, useEffect, useState, useCallback } from "preact/hooks";
import { parseRoute, parseView, viewSearch, Route, ViewState } from "./lib/urlstate";

export interface Nav {
  route: Route;
  view: ViewState;
  setView: (patch: Partial<ViewState>, push?: boolean) => void;
  navigate: (path: string, search?: string) => void;
}

export const NavContext = createContext<Nav>(null as unknown as Nav);
export const useNav = () => useContext(NavContext);

export function useLocationNav(): Nav {
  const [loc, setLoc] = useState({ path: location.pathname, search: location.search });
  useEffect(() => {
    const on = () => setLoc({ path: location.pathname, search: location.search });
    addEventListener("popstate", on);
    return () => removeEventListener("popstate", on);
  }, []);
  const route = parseRoute(loc.path);
  const view = parseView(loc.search);
  const setView = useCallback((patch: Partial<ViewState>, push = false) => {
    const next = viewSearch({ ...parseView(location.search), ...patch });
    const url = location.pathname + next;
    if (push) history.pushState(null, "", url); else history.replaceState(null, "", url);
    setLoc({ path: location.pathname, search: next });
  }, []);
  const navigate = useCallback((path: string, search = "") => {
    history.pushState(null, "", path + search);
    scrollTo(0, 0);
    setLoc({ path, search });
  }, []);
  return { route, view, setView, navigate };
}

/** An in-app link: a real href (open in new tab works), navigation without reload. */
export function Link(props: { href: string; class?: string; children: any; title?: string }) {
  const { navigate } = useNav();
  return (
    <a href={props.href} class={props.class} title={props.title} onClick={(e) => {
      if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
      e.preventDefault();
      const u = new URL(props.href, location.origin);
      navigate(u.pathname, u.search);
    }}>{props.children}</a>
  );
}
