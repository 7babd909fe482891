/**
 * A self-contained API reference: it fetches /openapi.json and lists each operation with its
 * schemas, with no script from a CDN, so it works on a machine with no internet. Its script and style
 * carry the request's CSP nonce (api/secure-headers.ts).
 */
export function renderDocsPage(specUrl: string, nonce: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Hookline API</title>
<style nonce="${nonce}">
 body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#222}
 h1{margin-bottom:0} .op{border:1px solid #ddd;border-radius:6px;margin:1rem 0;padding:.5rem 1rem}
 .m{font-weight:700;text-transform:uppercase;display:inline-block;width:5rem} .p{font-family:monospace}
 details pre{background:#f6f6f6;padding:.5rem;overflow:auto;font-size:13px}
</style></head>
<body><h1>Hookline API</h1><p>Auth: <code>Authorization: Bearer &lt;admin token or tenant key&gt;</code>.
Errors: <code>{"error":{"code","message"}}</code>. Raw document: <a href="${specUrl}">${specUrl}</a></p>
<div id="ops">Loading…</div>
<script nonce="${nonce}">
fetch(${JSON.stringify(specUrl)}).then(r=>r.json()).then(spec=>{
  const out=[];const esc=s=>String(s).replace(/[&<>]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;'}[c]));
  for(const [path,ops] of Object.entries(spec.paths||{}))for(const [method,op] of Object.entries(ops)){
    const body=op.requestBody?.content?.['application/json']?.schema;
    const res=Object.entries(op.responses||{}).map(([k,v])=>k+' '+esc(v.description||'')).join('<br>');
    out.push('<div class="op"><span class="m">'+method+'</span><span class="p">'+esc(path)+'</span><p>'+esc(op.summary||'')+'</p>'+
      (body?'<details><summary>Request body</summary><pre>'+esc(JSON.stringify(body,null,2))+'</pre></details>':'')+
      '<details><summary>Responses</summary><p>'+res+'</p></details></div>');
  }
  document.getElementById('ops').innerHTML=out.join('');
});
</script></body></html>`;
}
