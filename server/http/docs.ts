import { errorStatus } from '../domain/errors.js';

const esc = (s: unknown) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

type Json = Record<string, unknown>;

/** A readable, self-contained reference page generated from the OpenAPI document. */
export function docsPage(doc: Json): string {
  const paths = doc.paths as Record<string, Record<string, Json>>;
  const byTag = new Map<string, string[]>();
  for (const [path, ops] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const tag = ((op.tags as string[] | undefined) ?? ['Other'])[0] ?? 'Other';
      const body = (op.requestBody as Json | undefined)?.content as Record<string, { schema: unknown }> | undefined;
      const responses = Object.entries((op.responses as Record<string, Json>) ?? {})
        .map(([status, r]) => `<li><code>${esc(status)}</code> ${esc(r.description)}</li>`).join('');
      const html = `<section class="op" id="${esc(`${method}-${path}`)}">
<h3><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>
<p>${esc(op.summary)}</p>${op.description ? `<p class="d">${esc(op.description)}</p>` : ''}
${body ? `<details><summary>Request body schema</summary><pre>${esc(JSON.stringify(body['application/json']?.schema, null, 2))}</pre></details>` : ''}
<ul>${responses}</ul></section>`;
      byTag.set(tag, [...(byTag.get(tag) ?? []), html]);
    }
  }
  const sections = [...byTag].map(([tag, ops]) => `<h2>${esc(tag)}</h2>${ops.join('\n')}`).join('\n');
  const codes = Object.entries(errorStatus)
    .map(([code, status]) => `<tr id="${esc(code)}"><td><code>${esc(code)}</code></td><td>${status}</td></tr>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>BatchKeys API reference</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1d2327}
code,pre{font-family:ui-monospace,monospace}pre{background:#f6f7f7;padding:.75rem;overflow:auto;font-size:13px}
.op{border-top:1px solid #dcdcde;padding:.5rem 0}.m{display:inline-block;min-width:4.5rem;font-size:13px;color:#fff;padding:2px 6px;border-radius:3px;background:#2271b1}
.m.get{background:#00a32a}.m.delete{background:#d63638}.m.patch{background:#dba617}.d{color:#50575e}
table{border-collapse:collapse}td{border:1px solid #dcdcde;padding:2px 8px}
</style></head><body>
<h1>BatchKeys API reference</h1>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). Every license API answer carries
<code>BatchKeys-Signature: ed25519=&lt;base64&gt;</code> over the exact body bytes; verify it with the key from
<code>GET /v1/signing-key</code>. Admin routes take <code>Authorization: Bearer &lt;token&gt;</code>.</p>
${sections}
<h2>Error codes</h2><p>Errors are <code>application/problem+json</code> with a stable <code>code</code>.</p>
<table><tr><th>code</th><th>status</th></tr>${codes}</table>
</body></html>`;
}
