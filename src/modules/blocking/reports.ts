// XEP-0377: a <report/> inside a block item tells the server's administrators why the user
// blocked someone. The block happens whether or not the report is usable (§5: "MUST block the JID
// or return an error just as they would if no report were present"), so a report that cannot
// be read or kept is logged, never answered with an error.
import type { ModuleContext } from '../../core/modules/module.js';
import type { AbuseReport } from '../../storage/types.js';
import type { Element } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import { NS_REPORTING, NS_REPORTING_LEGACY } from './namespaces.js';

/** Bounds on what one report keeps; a stanza is already bounded, this keeps the admin view readable. */
const MAX_TEXT_CHARS = 2_000;
const MAX_REASON_CHARS = 256;
const MAX_STANZA_IDS = 50;

const LEGACY_REASONS: Record<string, string> = { spam: 'urn:xmpp:reporting:spam', abuse: 'urn:xmpp:reporting:abuse' };

type ReportContent = Pick<AbuseReport, 'reason' | 'text' | 'stanzaIds'>;

/** The report in a block <item/>, if it has one with a reason. */
export function reportIn(item: Element): ReportContent | undefined {
  const report = item.getChild('report', NS_REPORTING) ?? item.getChild('report', NS_REPORTING_LEGACY);
  if (!report) return undefined;
  const legacyReason = report.getChildElements().map((child) => LEGACY_REASONS[child.name]).find((reason) => reason !== undefined);
  const reason = (report.attrs.reason as string | undefined) ?? legacyReason;
  if (!reason) return undefined;
  const text = report.getChildText('text')?.trim();
  const stanzaIds = report
    .getChildren('stanza-id', NS.stanzaId)
    .map((child) => child.attrs.id as string | undefined)
    .filter((id): id is string => typeof id === 'string' && id !== '')
    .slice(0, MAX_STANZA_IDS);
  return { reason: reason.slice(0, MAX_REASON_CHARS), ...(text ? { text: text.slice(0, MAX_TEXT_CHARS) } : {}), stanzaIds };
}

export async function storeReport(ctx: ModuleContext, limit: number, reporter: string, reported: string, content: ReportContent): Promise<void> {
  try {
    const id = await ctx.storage.abuseReports.add({ reporter, reported, ...content, reportedAt: ctx.clock.now() }, limit);
    if (id === undefined) ctx.log.warn({ reporter, reported, limit }, 'blocking: report not kept, the account has reached modules.blocking.options.maxReportsPerAccount');
    else ctx.log.info({ id, reporter, reported, reason: content.reason }, 'blocking: report received (see herald reports)');
  } catch (error) {
    ctx.log.error({ err: error, reporter, reported }, 'blocking: could not store a report');
  }
}
