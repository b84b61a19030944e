/**
 * The runs filter box: words typed by a user -> the server's Mongo-style
 * `filters` (docs/server-api.md) plus free text matched on the client.
 *
 *   state:finished  tag:baseline  group:g  config.lr>0.01  summary.acc>=0.9
 *   lr=0.001 (a bare key means config.lr)   name:foo  anything-else (text)
 *
 * Comparison operators: = != > >= < <=. Values that parse as numbers compare
 * numerically; `"quoted text"` keeps spaces. A term that cannot be read is
 * reported in `errors`, naming it, and left out.
 */
export interface ParsedFilter {
  mongo: Record<string, unknown> | null;
  text: string[];
  errors: string[];
}

const OPS: [string, string][] = [[">=", "$gte"], ["<=", "$lte"], ["!=", "$ne"], [">", "$gt"], ["<", "$lt"], ["=", "$eq"]];

function tokenize(s: string): string[] {
  const out: string[] = [];
  const re = /(?:[^\s"]+|"[^"]*")+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) out.push(m[0]);
  return out;
}

function value(raw: string): string | number | boolean {
  const s = raw.replace(/^"(.*)"$/, "$1");
  if (raw.startsWith('"')) return s;
  if (s === "true") return true;
  if (s === "false") return false;
  const n = Number(s);
  return s !== "" && Number.isFinite(n) ? n : s;
}

export function parseFilter(input: string): ParsedFilter {
  const clauses: Record<string, unknown>[] = [];
  const text: string[] = [];
  const errors: string[] = [];
  for (const tok of tokenize(input.trim())) {
    const colon = /^(state|tag|tags|group|job_type|name|id):(.+)$/.exec(tok);
    if (colon) {
      const field = colon[1] === "tag" ? "tags" : colon[1];
      clauses.push({ [field]: value(colon[2]) });
      continue;
    }
    const cmp = /^([A-Za-z_][\w./-]*?)(>=|<=|!=|>|<|=)(.*)$/.exec(tok);
    if (cmp) {
      const [, key, op, raw] = cmp;
      if (raw === "") {
        errors.push(`${tok}: no value after ${op}`);
        continue;
      }
      const field = /^(config|summary|summary_metrics)\./.test(key) ? key : `config.${key}`;
      const mongoOp = OPS.find(([o]) => o === op)![1];
      clauses.push({ [field]: { [mongoOp]: value(raw) } });
      continue;
    }
    text.push(tok.replace(/^"(.*)"$/, "$1").toLowerCase());
  }
  const mongo = clauses.length === 0 ? null : clauses.length === 1 ? clauses[0] : { $and: clauses };
  return { mongo, text, errors };
}

/** Free-text terms match a run when each appears in its name, id or a tag. */
export function matchesText(run: { name?: string; id: string; tags?: string[] }, text: string[]): boolean {
  const hay = [run.name ?? "", run.id, ...(run.tags ?? [])].join(" ").toLowerCase();
  return text.every((t) => hay.includes(t));
}
