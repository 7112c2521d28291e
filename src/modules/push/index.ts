// XEP-0357 Push Notifications: a client registers an app server (JID and node, with optional
// publish-options); when a message waits for the account — stored offline, or queued for a
// session that lost its connection but may be resumed (XEP-0198) — the app server gets a
// pubsub publish with a summary, at most one per registration per `minIntervalSeconds`.
// Registrations and the rate limit live in storage (PushRepository), so every node shares them.
import type { HeraldModule, ModuleContext } from '../../core/modules/module.js';
import type { IqRequest } from '../../core/iq-dispatcher.js';
import { booleanOption, positiveIntegerOption, rejectUnknownOptions } from '../../core/modules/options.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import { needsAttention } from '../../protocol/lasting-content.js';
import { tryParseJid, type Jid } from '../../protocol/jid.js';
import type { Element } from '../../xml/element.js';
import { NS_PUSH, disableRequest, enableRequest } from './registration.js';
import { notification, publish, type SummaryPolicy } from './notify.js';

const DEFAULTS = { minIntervalSeconds: 5, maxRegistrations: 10, timeoutSeconds: 30 };
const CARBONS = 'urn:xmpp:carbons:2';

interface PushSettings {
  policy: SummaryPolicy;
  minIntervalMs: number;
  timeoutMs: number;
}

export const pushModule: HeraldModule = {
  name: 'push',
  enabledByDefault: true,
  load(ctx) {
    rejectUnknownOptions(ctx, ['includeBody', 'includeSender', 'minIntervalSeconds', 'maxRegistrations', 'timeoutSeconds']);
    const maxRegistrations = positiveIntegerOption(ctx, 'maxRegistrations', DEFAULTS.maxRegistrations);
    const settings: PushSettings = {
      // Bodies go to the app server and from there to Google or Apple: only when the admin says so.
      policy: { includeBody: booleanOption(ctx, 'includeBody', false), includeSender: booleanOption(ctx, 'includeSender', true) },
      minIntervalMs: positiveIntegerOption(ctx, 'minIntervalSeconds', DEFAULTS.minIntervalSeconds) * 1000,
      timeoutMs: positiveIntegerOption(ctx, 'timeoutSeconds', DEFAULTS.timeoutSeconds) * 1000,
    };

    // §4: the user's server advertises support on the account.
    ctx.on('disco/info', (event) => {
      if (event.target === 'account' && event.node === undefined) event.features.add(NS_PUSH);
    });

    ctx.handleIq({ target: 'account', type: 'set', xmlns: NS_PUSH, name: 'enable', handler: (request) => enable(ctx, request, maxRegistrations) });
    ctx.handleIq({ target: 'account', type: 'set', xmlns: NS_PUSH, name: 'disable', handler: (request) => disable(ctx, request) });

    // The two ways a message waits for a device that is not connected.
    ctx.on('message/stored-offline', ({ stanza, from, to }) => void notify(ctx, settings, to.bare, stanza, from));
    ctx.on('session/hibernated-stanza', ({ session, stanza }) => {
      const from = tryParseJid(stanza.attrs.from);
      if (from && stanza.name === 'message') void notify(ctx, settings, session.jid.bare, stanza, from);
    });
  },
};

/** Only the account itself, from one of its own sessions, manages its registrations. */
function ownAccount(request: IqRequest): Jid {
  const session = request.origin;
  if (!session || !request.to.equals(session.jid.bare)) throw new StanzaError('forbidden', 'only the account itself can manage its push registrations');
  return session.jid.bare;
}

async function enable(ctx: ModuleContext, request: IqRequest, maxRegistrations: number): Promise<null> {
  const account = ownAccount(request);
  const registration = enableRequest(request.payload);
  const stored = await ctx.storage.push.enable(account.toString(), registration, maxRegistrations);
  if (stored === 'full') throw new StanzaError('resource-constraint', `an account may register at most ${maxRegistrations} push services; disable one first`);
  ctx.log.info({ account: account.toString(), service: registration.service }, 'push: enabled');
  return null;
}

async function disable(ctx: ModuleContext, request: IqRequest): Promise<null> {
  const account = ownAccount(request);
  const { service, node } = disableRequest(request.payload);
  await ctx.storage.push.disable(account.toString(), service, node);
  return null;
}

/** What a person would want to be woken for; carbons are copies of what another device handles. */
function worthWaking(message: Element): boolean {
  const type = message.attrs.type;
  if (type === 'error' || type === 'headline') return false;
  if (message.getChild('sent', CARBONS) || message.getChild('received', CARBONS)) return false;
  return needsAttention(message);
}

async function notify(ctx: ModuleContext, settings: PushSettings, account: Jid, message: Element, from: Jid): Promise<void> {
  if (!worthWaking(message)) return;
  try {
    const due = await ctx.storage.push.due(account.toString(), ctx.clock.now(), settings.minIntervalMs);
    await Promise.all(due.map((each) => publish(ctx, account, each, notification(account, each, message, from, settings.policy, ctx.ids.next()), settings.timeoutMs)));
  } catch (error) {
    ctx.log.warn({ err: error, account: account.toString() }, 'push: could not notify');
  }
}
