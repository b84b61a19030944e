/** `/`: every project with its run count and last update. */
import { api } from "../api";
import { useAsync } from "../hooks";
import { Link } from "../router";
import { fmtTime } from "../lib/format";

export function ProjectsPage() {
  const s = useAsync(() => api.projects(), []);
  return (
    <div class="page">
      <h1>Projects</h1>
      {s.error && <div class="error">{s.error}</div>}
      {s.data && s.data.projects.length === 0 && <div class="empty">No runs yet. Sync one with <code>tidelog sync</code>.</div>}
      {s.data && s.data.projects.length > 0 && (
        <table class="grid projects">
          <thead><tr><th>Project</th><th>Runs</th><th>Last updated</th></tr></thead>
          <tbody>
            {s.data.projects.map((p) => (
              <tr key={p.name}>
                <td><Link href={`/${encodeURIComponent(p.name)}`}>{p.name}</Link></td>
                <td class="num">{p.runs}</td>
                <td>{fmtTime(p.last_updated)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
