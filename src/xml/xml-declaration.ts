// The optional XML declaration at the very start of a stream (XML 1.0 §2.8, RFC 6120 §11.5-11.6).
import { StreamError } from '../protocol/stream-error.js';

/** Longer than any sensible declaration; a bound so a peer cannot stream an endless one. */
export const MAX_DECLARATION_CHARS = 256;

const S = '[ \\t\\r\\n]';
const TARGET = /^<\?xml[ \t\r\n]/;
const DECLARATION = new RegExp(
  `^<\\?xml${S}+version${S}*=${S}*(["'])1\\.[0-9]+\\1` +
    `(?:${S}+encoding${S}*=${S}*(["'])([A-Za-z][A-Za-z0-9._-]*)\\2)?` +
    `(?:${S}+standalone${S}*=${S}*(["'])(?:yes|no)\\4)?${S}*\\?>$`,
);

/**
 * Called as the text after '<?' grows; once it shows a target other than `xml` it is a processing
 * instruction, which RFC 6120 §11.1 forbids.
 */
export function checkDeclarationStart(text: string): void {
  if (text.length >= 6 && !TARGET.test(text)) throw processingInstruction();
  if (text.length > MAX_DECLARATION_CHARS) throw new StreamError('not-well-formed', 'XML declaration too long');
}

/** The complete declaration, from '<?' to '?>'. */
export function checkDeclaration(text: string): void {
  if (!TARGET.test(text)) throw processingInstruction();
  const match = DECLARATION.exec(text);
  if (!match) throw new StreamError('not-well-formed', 'malformed XML declaration');
  const encoding = match[3];
  if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) {
    throw new StreamError('unsupported-encoding', `encoding ${encoding} (only UTF-8 is supported)`);
  }
}

function processingInstruction(): StreamError {
  return new StreamError('restricted-xml', 'processing instruction');
}
