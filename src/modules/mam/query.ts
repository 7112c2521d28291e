// XEP-0313 §4: answers archive queries. Each match is sent as its own <message><result> with the
// original forwarded (XEP-0297) under a <delay/> of when it was archived, chronologically (or
// reversed with <flip-page/>), paced through delivery so a slow reader slows the sending rather
// than filling memory; then the IQ result carries <fin/> with the RSM first/last.
import type { ModuleContext } from '../../core/modules/module.js';
import type { IqRequest } from '../../core/iq-dispatcher.js';
import { StanzaError } from '../../protocol/stanza-error.js';
import type { ArchivedMessage } from '../../storage/types.js';
import { xml, type Element } from '../../xml/element.js';
import { NS } from '../../xml/ns.js';
import { NS_MAM, ownArchive } from './namespaces.js';
import { mamFin, mamResult, parseQuery, type PageSizes } from '../../protocol/mam-query.js';
import type { ArchiveWriter } from './archive-writer.js';

const iso = (ms: number): string => new Date(ms).toISOString();

function resultMessage(ctx: ModuleContext, request: IqRequest, queryId: string | undefined, archived: ArchivedMessage): Element {
  return mamResult(request.to.toBareString(), request.from.toString(), ctx.ids.next(), queryId, archived);
}

async function answerQuery(ctx: ModuleContext, writer: ArchiveWriter, request: IqRequest, sizes: PageSizes): Promise<Element> {
  ownArchive(request);
  const { query, queryId, flipPage } = parseQuery(request.payload, sizes);
  await writer.idle();
  const page = await ctx.storage.archive.query(request.to.toBareString(), query);
  if (!page) throw new StanzaError('item-not-found', 'a message id given in the query is not in this archive');
  const ref = request.origin?.ref();
  const inOrder = flipPage ? [...page.messages].reverse() : page.messages;
  for (const archived of inOrder) {
    if (!ref || !(await ctx.delivery.toSession(ref, resultMessage(ctx, request, queryId, archived)))) break;
  }
  return mamFin(page);
}

/** §4.1.5: the fields a query may use; 'ids' is open-ended (XEP-0122 <open/>). */
function queryForm(): Element {
  const field = (name: string, type: string): Element => xml('field', { var: name, type });
  return xml(
    'query',
    { xmlns: NS_MAM },
    xml(
      'x',
      { xmlns: NS.dataForms, type: 'form' },
      xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', null, NS_MAM)),
      field('with', 'jid-single'),
      field('start', 'text-single'),
      field('end', 'text-single'),
      field('before-id', 'text-single'),
      field('after-id', 'text-single'),
      xml(
        'field',
        { var: 'ids', type: 'list-multi' },
        xml('validate', { xmlns: 'http://jabber.org/protocol/xdata-validate', datatype: 'xs:string' }, xml('open')),
      ),
    ),
  );
}

/** #extended: the first and last message of the archive, or nothing when it is empty. */
async function metadata(ctx: ModuleContext, writer: ArchiveWriter, request: IqRequest): Promise<Element> {
  ownArchive(request);
  await writer.idle();
  const { first, last } = await ctx.storage.archive.bounds(request.to.toBareString());
  return xml(
    'metadata',
    { xmlns: NS_MAM },
    first && xml('start', { id: first.id, timestamp: iso(first.timestamp) }),
    last && xml('end', { id: last.id, timestamp: iso(last.timestamp) }),
  );
}

export function registerQueries(ctx: ModuleContext, writer: ArchiveWriter, sizes: PageSizes): void {
  ctx.handleIq({ target: 'account', type: 'set', xmlns: NS_MAM, name: 'query', handler: (request) => answerQuery(ctx, writer, request, sizes) });
  ctx.handleIq({
    target: 'account',
    type: 'get',
    xmlns: NS_MAM,
    name: 'query',
    handler: (request) => {
      ownArchive(request);
      return queryForm();
    },
  });
  ctx.handleIq({ target: 'account', type: 'get', xmlns: NS_MAM, name: 'metadata', handler: (request) => metadata(ctx, writer, request) });
}
