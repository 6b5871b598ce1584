/** The demo page at `/`: a fake shop page per demo tenant with a minimal chat panel. */
export function renderDemoPage(tenants: Array<{ slug: string; name: string }>): string {
  const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const options = tenants.map((t) => `<option value="${escape(t.slug)}">${escape(t.name)} (${escape(t.slug)})</option>`).join('');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>kefu 客服 demo</title>
<style>
body{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f6f7f9;color:#222}
header{background:#1f6feb;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}
main{display:flex;gap:24px;padding:24px;flex-wrap:wrap}
.shop{flex:1;min-width:280px;background:#fff;border-radius:8px;padding:16px}
.chat{width:380px;background:#fff;border-radius:8px;display:flex;flex-direction:column;height:560px;box-shadow:0 2px 8px #0002}
.log{flex:1;overflow:auto;padding:12px}.msg{margin:6px 0;padding:8px 12px;border-radius:12px;max-width:85%;white-space:pre-wrap;line-height:1.45}
.incoming{background:#1f6feb;color:#fff;margin-left:auto}.outgoing{background:#eef1f5}.system{background:#fff4d6}
form{display:flex;border-top:1px solid #eee}input{flex:1;border:0;padding:12px;font-size:15px}button{border:0;background:#1f6feb;color:#fff;padding:0 16px}
.meta{font-size:11px;color:#888;margin-top:2px}
</style></head><body>
<header><h1>kefu 客服 · demo</h1></header>
<main>
<section class="shop"><h2>演示租户 / Demo tenant</h2>
<select id="tenant">${options}</select>
<p>在右侧窗口提问，例如「怎么退货」「運費怎麼算」「转人工」。 Ask in the chat panel, e.g. "how do I return an item".</p>
<p><a href="/docs">API reference</a> · <a href="/openapi.json">openapi.json</a></p></section>
<section class="chat" aria-label="chat"><div class="log" id="log"></div>
<form id="form"><input id="text" autocomplete="off" placeholder="输入消息… / Type a message…" aria-label="message"><button>发送</button></form></section>
</main>
<script type="module">
const log = document.getElementById('log'); const select = document.getElementById('tenant');
let socket, seen = new Set(), lastSeq = '0';
function add(m){ if(seen.has(m.id)) return; seen.add(m.id); lastSeq = m.seq;
  const div = document.createElement('div'); div.className = 'msg ' + (m.direction==='incoming'?'incoming':m.sender.kind==='system'?'system':'outgoing');
  div.textContent = m.text; log.appendChild(div); log.scrollTop = log.scrollHeight; }
async function start(){
  log.textContent=''; seen = new Set(); lastSeq='0'; if(socket) socket.close();
  const key = 'kefu-visitor-' + select.value; const visitorId = localStorage.getItem(key) || undefined;
  const response = await fetch('/widget/v1/sessions',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({tenant:select.value,visitorId})});
  const session = await response.json(); localStorage.setItem(key, session.visitorId);
  const url = new URL('/widget/v1/ws', location.href); url.protocol = location.protocol==='https:'?'wss:':'ws:';
  url.searchParams.set('token', session.token); url.searchParams.set('conversationId', session.conversationId);
  socket = new WebSocket(url); socket.onmessage = (e) => { const ev = JSON.parse(e.data); if(ev.type==='message.created') add(ev.message); };
}
document.getElementById('form').onsubmit = (e) => { e.preventDefault(); const input = document.getElementById('text');
  const text = input.value.trim(); if(!text || !socket) return; socket.send(JSON.stringify({type:'message.create',clientId:crypto.randomUUID(),text})); input.value=''; };
select.onchange = start; start();
</script></body></html>`;
}
