/**
 * /docs: the OpenAPI document rendered on the server as plain HTML. No script, no CDN: the page
 * keeps the pages' restrictive CSP and works offline. Everything shown comes from the document
 * itself (buildOpenApiDocument), so the two cannot disagree.
 */
import type { Child } from "hono/jsx";
import { Layout } from "../pages/pages.views";

type Json = Record<string, any>;

/** Inline `code` and **bold** in the document's descriptions, as escaped JSX. */
function inline(text: string): Child[] {
  const out: Child[] = [];
  const re = /`([^`]+)`|\*\*([^*]+)\*\*/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index! > last) out.push(text.slice(last, m.index));
    out.push(m[1] !== undefined ? <code>{m[1]}</code> : <strong>{m[2]}</strong>);
    last = m.index! + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** Paragraphs and "- " bullet lists. */
function Prose({ text }: { text: string | undefined }) {
  if (!text) return null;
  return (
    <>
      {text.split(/\n{2,}/).map((block) => {
        const lines = block.split("\n");
        if (lines.every((l) => l.startsWith("- "))) {
          return (
            <ul>
              {lines.map((l) => (
                <li>{inline(l.slice(2))}</li>
              ))}
            </ul>
          );
        }
        return <p>{inline(block)}</p>;
      })}
    </>
  );
}

const refName = (ref: string) => ref.replace("#/components/schemas/", "");

function typeLabel(s: Json): Child {
  if (!s || typeof s !== "object") return "any";
  if (s.$ref) return <a href={`#schema-${refName(s.$ref)}`}>{refName(s.$ref)}</a>;
  if (s.anyOf) {
    const parts = (s.anyOf as Json[]).map(typeLabel);
    return <>{parts.flatMap((p, i) => (i === 0 ? [p] : [" | ", p]))}</>;
  }
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.type === "array") return <>array of {typeLabel(s.items ?? {})}</>;
  if (s.type === "null") return "null";
  const base = Array.isArray(s.type) ? s.type.join(" | ") : (s.type ?? "any");
  return s.format ? `${base} (${s.format})` : base;
}

function constraints(s: Json): string[] {
  const out: string[] = [];
  if (Array.isArray(s.enum)) out.push(`one of: ${s.enum.join(", ")}`);
  if (s.pattern) out.push(`pattern ${s.pattern}`);
  if (s.minLength !== undefined) out.push(`at least ${s.minLength} characters`);
  if (s.maxLength !== undefined) out.push(`at most ${s.maxLength} characters`);
  if (s.minItems !== undefined) out.push(`at least ${s.minItems} items`);
  if (s.maxItems !== undefined) out.push(`at most ${s.maxItems} items`);
  if (s.minimum !== undefined) out.push(`≥ ${s.minimum}`);
  if (s.maximum !== undefined) out.push(`≤ ${s.maximum}`);
  if (s.additionalProperties === false) out.push("no other fields");
  return out;
}

/** Object schemas as nested lists of fields; depth-limited, refs become links. */
function SchemaTree({ schema, depth = 0 }: { schema: Json; depth?: number }) {
  if (!schema || depth > 6) return null;
  const target = schema.type === "array" ? schema.items : schema;
  if (target?.anyOf) {
    const objects = (target.anyOf as Json[]).filter((x) => x.type === "object" || x.type === "array");
    return (
      <>
        {objects.map((o) => (
          <SchemaTree schema={o} depth={depth + 1} />
        ))}
      </>
    );
  }
  if (!target || target.type !== "object" || !target.properties) return null;
  const required = new Set<string>(target.required ?? []);
  return (
    <ul>
      {Object.entries(target.properties as Record<string, Json>).map(([name, prop]) => {
        const notes = [...constraints(prop), ...(prop.type === "array" && prop.items ? constraints(prop.items) : [])];
        return (
          <li>
            <code>{name}</code> <em>{typeLabel(prop)}</em>
            {required.has(name) ? " — required" : ""}
            {prop.description ? <> — {prop.description}</> : null}
            {notes.length > 0 ? <span class="meta"> ({notes.join("; ")})</span> : null}
            <SchemaTree schema={prop} depth={depth + 1} />
          </li>
        );
      })}
    </ul>
  );
}

function Operation({ path, method, op }: { path: string; method: string; op: Json }) {
  const params = (op.parameters ?? []) as Json[];
  const body = op.requestBody?.content?.["application/json"];
  return (
    <section class="op" id={`op-${op.operationId}`} aria-labelledby={`op-${op.operationId}-h`}>
      <h3 id={`op-${op.operationId}-h`}>
        <span class={`method m-${method}`}>{method.toUpperCase()}</span> <code>{path}</code>
      </h3>
      <p>
        <strong>{op.summary}</strong>
      </p>
      <Prose text={op.description} />
      {params.length > 0 ? (
        <table class="ops">
          <caption class="visually-hidden">Parameters of {op.operationId}</caption>
          <thead>
            <tr>
              <th scope="col">Parameter</th>
              <th scope="col">In</th>
              <th scope="col">Type</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            {params.map((p) => (
              <tr>
                <td>
                  <code>{p.name}</code>
                  {p.required ? " (required)" : ""}
                </td>
                <td>{p.in}</td>
                <td>{typeLabel(p.schema)}</td>
                <td>{[p.description, ...constraints(p.schema ?? {})].filter(Boolean).join(" · ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {body ? (
        <>
          <p>Request body (application/json): {typeLabel(body.schema)}</p>
          {body.example !== undefined ? <pre>{JSON.stringify(body.example, null, 2)}</pre> : null}
        </>
      ) : null}
      <table class="ops">
        <caption class="visually-hidden">Responses of {op.operationId}</caption>
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col">Meaning</th>
            <th scope="col">Body</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(op.responses as Record<string, Json>).map(([status, r]) => {
            const isRef = typeof r.$ref === "string";
            const name = isRef ? String(r.$ref).replace("#/components/responses/", "") : null;
            const content = (r.content ?? {}) as Record<string, Json>;
            return (
              <tr>
                <td>{status}</td>
                <td>{isRef ? <a href={`#response-${name}`}>{name}</a> : r.description}</td>
                <td>
                  {isRef ? (
                    <a href="#schema-ErrorEnvelope">ErrorEnvelope</a>
                  ) : (
                    Object.entries(content).map(([type, media]) => (
                      <>
                        <code>{type}</code> {media.schema?.$ref ? typeLabel(media.schema) : null}{" "}
                      </>
                    ))
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

export function DocsPage({ doc }: { doc: Json }) {
  const tags = (doc.tags ?? []) as Array<{ name: string; description: string }>;
  const ops: Array<{ path: string; method: string; op: Json }> = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
    for (const [method, op] of Object.entries(item)) ops.push({ path, method, op });
  }
  const schemas = Object.entries((doc.components?.schemas ?? {}) as Record<string, Json>);
  const responses = Object.entries((doc.components?.responses ?? {}) as Record<string, Json>);
  const slug = (tag: string) => `tag-${tag.replace(/\W+/g, "-")}`;
  return (
    <Layout title={`${doc.info.title} · documentation`}>
      <h1>
        {doc.info.title} <span class="meta">{doc.info.version}</span>
      </h1>
      <p class="lede">
        OpenAPI {doc.openapi} · server <code>{doc.servers?.[0]?.url}</code> · machine-readable: <a href="/openapi.json">/openapi.json</a>
      </p>
      <Prose text={doc.info.description} />
      <nav aria-labelledby="toc-h">
        <h2 id="toc-h">Operations</h2>
        {tags.map((t) => (
          <>
            <h3>
              <a href={`#${slug(t.name)}`}>{t.name}</a>
            </h3>
            <ul>
              {ops
                .filter((o) => o.op.tags?.[0] === t.name)
                .map((o) => (
                  <li>
                    <a href={`#op-${o.op.operationId}`}>
                      {o.method.toUpperCase()} {o.path}
                    </a>{" "}
                    — {o.op.summary}
                  </li>
                ))}
            </ul>
          </>
        ))}
      </nav>
      {tags.map((t) => (
        <section aria-labelledby={slug(t.name)}>
          <h2 id={slug(t.name)}>{t.name}</h2>
          <p>{t.description}</p>
          {ops
            .filter((o) => o.op.tags?.[0] === t.name)
            .map((o) => (
              <Operation {...o} />
            ))}
        </section>
      ))}
      <section aria-labelledby="errors-h">
        <h2 id="errors-h">Error responses</h2>
        {responses.map(([name, r]) => (
          <div id={`response-${name}`}>
            <h3>{name}</h3>
            <p>{r.description}</p>
            <pre>{JSON.stringify(r.content?.["application/json"]?.example, null, 2)}</pre>
          </div>
        ))}
      </section>
      <section aria-labelledby="schemas-h">
        <h2 id="schemas-h">Schemas</h2>
        {schemas.map(([name, schema]) => (
          <div class="schema" id={`schema-${name}`}>
            <h3>{name}</h3>
            {schema.description ? <p>{schema.description}</p> : null}
            <p class="meta">{typeLabel(schema)}</p>
            <SchemaTree schema={schema} />
          </div>
        ))}
      </section>
    </Layout>
  );
}
