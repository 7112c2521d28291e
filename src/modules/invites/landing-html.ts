// The HTML of the invitation landing page (XEP-0401 §6): what the invitee sees.
import { escapeHtml, htmlPage } from '../../http/html.js';
import type { Invite } from '../../storage/types.js';

/** Clients that handle invitation links, per platform (XEP-0401 §6 suggests listing some). */
const CLIENTS: ReadonlyArray<{ name: string; platform: string; url: string }> = [
  { name: 'Conversations', platform: 'Android', url: 'https://conversations.im/' },
  { name: 'Monal', platform: 'iOS and macOS', url: 'https://monal-im.org/' },
  { name: 'Siskin IM', platform: 'iOS', url: 'https://siskin.im/' },
  { name: 'Gajim', platform: 'Windows and Linux', url: 'https://gajim.org/' },
  { name: 'Dino', platform: 'Linux', url: 'https://dino.im/' },
];

export interface InvitationView {
  invite: Invite;
  /** The xmpp: URI with the token. */
  uri: string;
  minPasswordLength: number;
  error?: string;
  username?: string;
}

export function invitationPage(view: InvitationView): string {
  const { invite } = view;
  const who = invite.contact !== undefined ? `${escapeHtml(invite.contact)} invites you` : `You are invited`;
  const where = `to chat on <strong>${escapeHtml(invite.domain)}</strong>`;
  const clients = CLIENTS.map((c) => `<li><a href="${escapeHtml(c.url)}" rel="noopener noreferrer">${escapeHtml(c.name)}</a> (${escapeHtml(c.platform)})</li>`).join('');
  const error = view.error === undefined ? '' : `<p class="error" role="alert">${escapeHtml(view.error)}</p>`;
  return htmlPage(
    `Invitation to ${invite.domain}`,
    `<h1>${who} ${where}</h1>
<p>Install a chat app that supports invitations, then open this invitation with it:</p>
<p><a class="button" id="open-invite" href="${escapeHtml(view.uri)}">Open the invitation in your app</a></p>
<ul>${clients}</ul>
<p class="note">The button works once such an app is installed on this device. Elsewhere, copy this link into the app: <code>${escapeHtml(view.uri)}</code></p>
${error}${invite.allowRegistration ? registrationForm(view) : ''}
<p class="note">This invitation works once and expires ${escapeHtml(new Date(invite.expiresAt).toUTCString())}.</p>`,
  );
}

function registrationForm(view: InvitationView): string {
  const { invite } = view;
  const name = invite.username !== undefined
    ? `<p>Your account will be <strong>${escapeHtml(invite.username)}@${escapeHtml(invite.domain)}</strong>.</p>`
    : `<label for="username">Account name (you will be <em>name</em>@${escapeHtml(invite.domain)})</label>
<input id="username" name="username" required autocomplete="username" autocapitalize="none" value="${escapeHtml(view.username ?? '')}">`;
  return `<h2>Or create your account here</h2>
<form method="post" id="register">
${name}
<label for="password">Password (at least ${view.minPasswordLength} characters)</label>
<input id="password" name="password" type="password" required autocomplete="new-password" minlength="${view.minPasswordLength}">
<label for="password2">The same password again</label>
<input id="password2" name="password2" type="password" required autocomplete="new-password">
<p><button class="button" type="submit">Create my account</button></p>
</form>`;
}

export function registeredPage(account: string, invite: Invite): string {
  const contact = invite.contact === undefined ? '' : `<p>${escapeHtml(invite.contact)} is already in your contacts.</p>`;
  return htmlPage(
    'Account created',
    `<h1>Welcome, ${escapeHtml(account)}</h1>
<p>Your account is ready. Sign in with <strong>${escapeHtml(account)}</strong> and your password in any XMPP app.</p>${contact}`,
  );
}

export function goneMessage(text: string): string {
  return htmlPage('Invitation', `<h1>Invitation</h1><p>${escapeHtml(text)}</p>`);
}
