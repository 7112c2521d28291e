// The console's page and script, served from the package (no build step, no framework): the
// page is a frame the script fills from /admin/api/state, and every change is a POST carrying
// the session's CSRF token.
import { escapeHtml, htmlPage } from '../../http/html.js';

const STYLE = 'body{max-width:72rem}table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:left;font-size:.9rem}button.small{font-size:.8rem;padding:.2rem .5rem}form.inline input{width:auto;display:inline-block}form.inline label{display:inline}';

export function loginPage(error?: string): string {
  const problem = error === undefined ? '' : `<p class="error" role="alert">${escapeHtml(error)}</p>`;
  return htmlPage(
    'Herald admin console',
    `<h1>Herald admin console</h1>${problem}
<form method="post" action="/admin/login" id="login">
<label for="jid">Administrator account (user@domain)</label><input id="jid" name="jid" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<p><button class="button" type="submit">Log in</button></p></form>
<p class="note">Only accounts with the admin role (herald user role, or an --admin invitation) may log in.</p>`,
  );
}

export function consolePage(account: string, csrf: string): string {
  return htmlPage(
    'Herald admin console',
    `<meta name="csrf-token" content="${escapeHtml(csrf)}">
<h1>Herald admin console</h1><p>Logged in as <strong>${escapeHtml(account)}</strong>.
<form method="post" action="/admin/logout" class="inline"><input type="hidden" name="csrf" value="${escapeHtml(csrf)}"><button class="small" type="submit">Log out</button></form></p>
<p id="status" role="status"></p>
<h2>Users</h2>
<form id="add-user" class="inline"><label>Account <input name="jid" placeholder="user@domain" required></label>
<label>Password <input name="password" type="password" required></label> <button type="submit">Add user</button></form>
<table id="users"></table>
<h2>Online sessions</h2><table id="sessions"></table>
<h2>Invitations</h2>
<form id="add-invite" class="inline"><label>Contact <input name="contact" placeholder="optional user@domain"></label>
<label>Reserved name <input name="user" placeholder="optional"></label> <label>Valid for <input name="ttl" value="7d" size="4"></label>
<button type="submit">Create invitation</button></form><p id="new-invite"></p>
<table id="invites"></table>
<h2>Server-to-server links</h2><table id="s2s"></table>
<h2>Offline queues</h2><p id="offline"></p><table id="queues"></table>
<h2>Certificates</h2><table id="certificates"></table>
<h2>Log (newest last)</h2><pre id="log"></pre>
<script src="/admin/console.js"></script>`,
    STYLE,
  );
}

export const CONSOLE_SCRIPT = `'use strict';
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const status = document.getElementById('status');
const el = (tag, text) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = String(text); return e; };
function button(label, onClick) { const b = el('button', label); b.className = 'small'; b.addEventListener('click', onClick); return b; }
function table(id, head, rows) {
  const t = document.getElementById(id); t.replaceChildren();
  const h = el('tr'); for (const name of head) h.append(el('th', name)); t.append(h);
  if (rows.length === 0) { const r = el('tr'); const c = el('td', 'none'); c.colSpan = head.length; r.append(c); t.append(r); }
  for (const cells of rows) { const r = el('tr'); for (const c of cells) { const td = el('td'); td.append(c instanceof Node ? c : document.createTextNode(c ?? '')); r.append(td); } t.append(r); }
}
async function act(action, body) {
  const res = await fetch('/admin/api/' + action, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify(body) });
  const answer = await res.json();
  status.textContent = res.ok ? action + ': done' : action + ': ' + answer.error;
  status.className = res.ok ? '' : 'error';
  await refresh();
  return res.ok ? answer : undefined;
}
async function refresh() {
  const res = await fetch('/admin/api/state');
  if (res.status === 401) { location.reload(); return; }
  const s = await res.json();
  const online = new Map();
  for (const x of s.sessions) online.set(x.jid.split('/')[0], (online.get(x.jid.split('/')[0]) || 0) + 1);
  table('users', ['account', 'created', 'sessions', ''], s.users.map((u) => [u.jid, u.createdAt, String(online.get(u.jid) || 0), actions(u.jid)]));
  table('sessions', ['JID', 'client', 'address', 'since', 'mechanism', ''], s.sessions.map((x) => [x.jid, x.userAgent ? [x.userAgent.software, x.userAgent.device].filter(Boolean).join(' on ') : '', x.address, x.since, x.mechanism, button('Kick', () => act('session-kick', { jid: x.jid }))]));
  table('invites', ['id', 'for', 'state', ''], s.invites.map((i) => [i.id, i.contact ? 'contact of ' + i.contact : 'register ' + (i.username ? i.username + '@' : '') + i.domain, i.usedAt ? 'used by ' + i.usedBy : i.usable ? 'open until ' + new Date(i.expiresAt).toISOString() : 'expired', button('Revoke', () => act('invite-revoke', { id: i.id }))]));
  table('s2s', ['direction', 'remote', 'state', 'address', 'TLS', 'in', 'out', 'queue', 'last error'], s.s2s.map((l) => [l.direction, l.remote.join(', '), l.state, l.remoteAddress, l.tls, String(l.stanzasIn), String(l.stanzasOut), String(l.queue), l.lastError || '']));
  document.getElementById('offline').textContent = s.offline.messages + ' messages for ' + s.offline.accounts + ' accounts';
  table('queues', ['account', 'messages'], s.offline.largest.map((q) => [q.account, String(q.count)]));
  table('certificates', ['domain', 'names', 'valid until', 'SHA-256', 'problem'], s.certificates.map((c) => [c.domain, c.names.join(', ') + (c.selfSigned ? ' (self-signed)' : ''), c.validTo, c.sha256, c.problem]));
  document.getElementById('log').textContent = s.log.map(logLine).join(String.fromCharCode(10));
}
function logLine(text) {
  try {
    const { time, level, msg, ...rest } = JSON.parse(text);
    const fields = Object.keys(rest).length ? ' ' + JSON.stringify(rest) : '';
    return time + ' ' + String(level).toUpperCase() + ' ' + msg + fields;
  } catch { return text; }
}
function actions(jid) {
  const span = el('span');
  span.append(button('Reset password', () => { const p = prompt('New password for ' + jid); if (p) act('user-password', { jid, password: p }); }), ' ',
    button('Delete', () => { const c = prompt('Type ' + jid + ' to delete it and everything stored for it'); if (c) act('user-delete', { jid, confirm: c }); }));
  return span;
}
function onSubmit(id, action, read) {
  document.getElementById(id).addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.target; const answer = await act(action, read(new FormData(form)));
    if (answer) form.reset();
    if (answer && answer.uri) document.getElementById('new-invite').textContent = answer.uri + (answer.landingUrl ? '  ' + answer.landingUrl : '');
  });
}
onSubmit('add-user', 'user-add', (f) => ({ jid: f.get('jid'), password: f.get('password') }));
onSubmit('add-invite', 'invite-create', (f) => ({ contact: f.get('contact'), user: f.get('user'), ttl: f.get('ttl') }));
refresh();
setInterval(refresh, 2000);
`;
