/**
 * The web UI's entry: the app shell (header with breadcrumbs) and the three
 * pages by URL: `/` projects, `/<project>` runs + workspace, `/<project>/runs/<id>`
 * one run. Heavy viewers are imported on demand by their panels (viewers/*).
 */
import { render } from "preact";
import "uplot/dist/uPlot.min.css";
import "./styles.css";
import { NavContext, useLocationNav, Link } from "./router";
import { ProjectsPage } from "./components/ProjectsPage";
import { ProjectPage } from "./components/ProjectPage";
import { RunPage } from "./components/RunPage";

function App() {
  const nav = useLocationNav();
  const r = nav.route;
  return (
    <NavContext.Provider value={nav}>
      <header class="top">
        <Link href="/" class="brand">tidelog</Link>
        {r.page !== "projects" && <span class="crumb">/</span>}
        {r.page !== "projects" && <Link href={`/${encodeURIComponent(r.project)}`} class="crumb-link">{r.project}</Link>}
        {r.page === "run" && <span class="crumb">/</span>}
        {r.page === "run" && <span class="crumb-run">{r.runId}</span>}
      </header>
      <main>
        {r.page === "projects" && <ProjectsPage />}
        {r.page === "project" && <ProjectPage key={r.project} project={r.project} />}
        {r.page === "run" && <RunPage key={`${r.project}/${r.runId}`} project={r.project} runId={r.runId} />}
      </main>
    </NavContext.Provider>
  );
}

render(<App />, document.getElementById("app")!);
