// The stream's XML parser: a strict, resumable scan of the restricted XML an XMPP stream may carry
// (XML 1.0 well-formedness, Namespaces in XML name syntax, RFC 6120 §11.1 restrictions and Herald's limits)
// that builds the stream tag and each first-level element as ltx Elements in the same pass.
//
// What it builds is what ltx's tokenizer built from the same (checked) source before, so nothing downstream
// sees a change: references decoded, attribute values and text otherwise as written (no attribute-value or
// end-of-line normalisation), one text child per run of character data and one per CDATA section, empty ones
// left out. One exception: text after a CDATA section is kept; ltx lost it up to the next tag.
import { StreamError } from '../protocol/stream-error.js';
import { Element } from './element.js';
import { EntityRef } from './entity-ref.js';
import { excerpt } from './excerpt.js';
import { MarkupUnit } from './markup-unit.js';
import type { StreamParserLimits } from './stream-parser.js';
import { checkDeclaration, checkDeclarationStart } from './xml-declaration.js';
import { ILLEGAL_XML_CHAR, isNameChar, isNameStart, isQName, isSpace } from './xml-chars.js';

export interface ScanSink {
  /** The stream's start tag, as an element without children. */
  rootTag(element: Element): void;
  /** One complete first-level element; it has no parent. */
  stanza(element: Element): void;
  /** The stream's end tag. */
  rootEnd(): void;
}

const START = 0; // first character of the stream: an XML declaration may follow
const START_LT = 1; // '<' as the first character
const DECLARATION = 2;
const PROLOG = 3; // before the stream tag
const TEXT = 4; // character data inside the stream
const LT = 5; // after '<'
const BANG = 6; // after '<!'
const START_NAME = 7;
const TAG = 8; // in a start tag, after white space
const ATTR_NAME = 9;
const ATTR_EQ = 10;
const ATTR_QUOTE = 11;
const ATTR_VALUE = 12;
const ATTR_END = 13; // just after an attribute value
const EMPTY_END = 14; // after '/' in a start tag
const END_START = 15; // after '</'
const END_NAME = 16;
const END_SPACE = 17;
const CDATA = 18;
const ENTITY = 19;
const DONE = 20;

const CH_LT = 0x3c;
const CH_GT = 0x3e;
const CH_AMP = 0x26;
const CH_SLASH = 0x2f;
const CH_EQ = 0x3d;
const CH_BRACKET = 0x5d;
const CH_COLON = 0x3a;

// isNameChar for ASCII, as a table: names are most of what a stanza's markup is.
const ASCII_NAME_CHAR = new Uint8Array(0x80);
for (let c = 0; c < 0x80; c++) ASCII_NAME_CHAR[c] = isNameChar(c) ? 1 : 0;

// What may follow '<!'. Only CDATA sections are allowed (RFC 6120 §11.1).
const CDATA_OPEN = '[CDATA[';
const BANG_FORMS = ['--', CDATA_OPEN, 'DOCTYPE', 'ENTITY', 'ELEMENT', 'ATTLIST', 'NOTATION'];

export class XmlScanner {
  private state = START;
  private inRoot = false;
  private rootName = '';
  /** Open elements inside the stream (the stanza is depth 1); `current` is the innermost. */
  private depth = 0;
  private current: Element | undefined;
  /** The element whose start tag is being read. */
  private element: Element | undefined;
  private readonly unit: MarkupUnit;
  private readonly entity = new EntityRef();
  private entityReturn = TEXT;
  // The token being read (name, attribute value, text, CDATA): `part` holds what earlier slices and
  // decoded references gave, `mark` is where the rest starts in the current slice.
  private part = '';
  private mark = 0;
  private colon = false; // the name being read has a ':'
  private endName = '';
  private attrName = '';
  // Of the current start tag: the first attrCount entries. Replaced by a fresh array after each
  // stanza, which frees the backing store as `length = 0` did at a third of its cost (a runtime call).
  private attrNames: string[] = [];
  private attrCount = 0;
  private quote = 0;
  private brackets = 0; // ']' just seen in text (for ']]>') or CDATA (for its end)
  private bang = '';
  private declaration = '';

  /**
   * `fragment`: the input is first-level elements with no stream tag around them (a stored stanza read
   * back), so it starts as if inside the stream.
   */
  constructor(
    private readonly limits: StreamParserLimits,
    private readonly sink: ScanSink,
    fragment = false,
  ) {
    this.unit = new MarkupUnit(limits.maxStanzaBytes);
    if (fragment) {
      this.inRoot = true;
      this.state = TEXT;
    }
  }

  /** Between first-level constructs: nothing half read. */
  get atRest(): boolean {
    return this.state === TEXT && this.depth === 0 && this.inRoot;
  }

  /** Scans one decoded slice. Throws StreamError on the first violation. */
  feed(s: string): void {
    // One native search per slice; what precedes a bad character is still scanned, so errors come in order.
    const bad = s.search(ILLEGAL_XML_CHAR);
    if (bad === -1) {
      this.scan(s);
      return;
    }
    this.scan(s.substring(0, bad));
    if (this.state !== DONE) throw notWellFormed('character not allowed in XML');
  }

  private scan(s: string): void {
    this.unit.slice(s);
    let i = 0;
    while (i < s.length) {
      i = this.step(s, i);
      if (this.state === DONE) return;
    }
    const state = this.state;
    if (
      (state === TEXT && this.depth > 0) ||
      state === START_NAME ||
      state === ATTR_NAME ||
      state === END_NAME ||
      state === ATTR_VALUE ||
      state === CDATA
    ) {
      // The token goes on in the next slice.
      if (this.mark < s.length) this.part += this.mark === 0 ? s : s.substring(this.mark);
      this.mark = 0;
    }
    this.unit.carry(s);
  }

  // Runs the current state from `i` as far as it goes; returns where the next state starts.
  private step(s: string, i: number): number {
    const c = s.charCodeAt(i);
    switch (this.state) {
      case TEXT:
        return this.depth === 0 ? this.whitespace(s, i) : this.text(s, i);
      case START:
        if (c !== CH_LT) {
          this.state = PROLOG;
          return i;
        }
        this.unit.begin(i);
        this.state = START_LT;
        return i + 1;
      case START_LT:
        if (c !== 0x3f /* ? */) {
          this.state = LT;
          return i;
        }
        this.declaration = '<';
        this.state = DECLARATION;
        return i;
      case DECLARATION:
        return this.xmlDeclaration(s, i);
      case PROLOG:
        return this.whitespace(s, i);
      case LT:
        this.lt(c, i);
        return i + 1;
      case BANG:
        return this.markupDeclaration(s, i);
      case START_NAME:
      case ATTR_NAME:
      case END_NAME:
        return this.name(s, i);
      case TAG:
        if (isSpace(c)) return i + 1;
        if (isNameStart(c)) {
          if (this.attrCount >= this.limits.maxAttributes) {
            throw new StreamError('policy-violation', `more than ${this.limits.maxAttributes} attributes`);
          }
          this.mark = i;
          this.state = ATTR_NAME;
          return i + 1;
        }
        this.tagEnd(s, c, i);
        return i + 1;
      case ATTR_EQ:
        if (c === CH_EQ) this.state = ATTR_QUOTE;
        else if (!isSpace(c)) throw notWellFormed("attribute without '='");
        return i + 1;
      case ATTR_QUOTE:
        if (c === 0x22 || c === 0x27) {
          this.quote = c;
          this.mark = i + 1;
          this.state = ATTR_VALUE;
        } else if (!isSpace(c)) {
          throw notWellFormed('attribute value without quotes');
        }
        return i + 1;
      case ATTR_VALUE:
        return this.attrValue(s, i);
      case ATTR_END:
        if (isSpace(c)) this.state = TAG;
        else this.tagEnd(s, c, i);
        return i + 1;
      case EMPTY_END:
        if (c !== CH_GT) throw notWellFormed("'/' in a start tag not followed by '>'");
        this.startTagClosed(s, i, true);
        return i + 1;
      case END_START:
        if (!isNameStart(c)) throw notWellFormed('malformed end tag');
        this.mark = i;
        this.state = END_NAME;
        return i + 1;
      case END_SPACE:
        if (c === CH_GT) this.endTagClosed(s, i);
        else if (!isSpace(c)) throw notWellFormed('malformed end tag');
        return i + 1;
      case CDATA:
        return this.cdata(s, i);
      case ENTITY:
        if (this.entity.push(c)) {
          this.part += this.entity.text;
          this.mark = i + 1;
          this.state = this.entityReturn;
        }
        return i + 1;
      default:
        return s.length;
    }
  }

  // Before the stream tag, and inside the stream between stanzas (keepalives), only white space may appear.
  // It is skipped, never kept; the next '<' begins a new unit.
  private whitespace(s: string, i: number): number {
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === CH_LT) {
        this.unit.begin(i);
        this.state = LT;
        return i + 1;
      }
      if (!isSpace(c)) {
        if (this.inRoot) throw new StreamError('bad-format', 'text outside of a stanza');
        throw notWellFormed('text before the stream element');
      }
    }
    return i;
  }

  // Character data inside a stanza; it becomes a text child at the next markup.
  private text(s: string, i: number): number {
    let brackets = this.brackets;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === CH_LT || c === CH_AMP) {
        this.brackets = 0;
        const run = i > this.mark ? this.part + s.substring(this.mark, i) : this.part;
        if (c === CH_LT) {
          this.part = '';
          if (run !== '') this.current!.t(run);
          this.state = LT;
        } else {
          this.part = run;
          this.entity.begin();
          this.entityReturn = TEXT;
          this.state = ENTITY;
        }
        return i + 1;
      }
      if (c === CH_BRACKET) {
        brackets++;
      } else {
        if (c === CH_GT && brackets >= 2) throw notWellFormed("']]>' in text");
        brackets = 0;
      }
    }
    this.brackets = brackets;
    return i;
  }

  private xmlDeclaration(s: string, i: number): number {
    const gt = s.indexOf('>', i);
    const end = gt === -1 ? s.length : gt + 1;
    this.declaration += s.substring(i, end);
    if (gt === -1) {
      checkDeclarationStart(this.declaration);
      return end;
    }
    checkDeclaration(this.declaration);
    this.declaration = '';
    this.unit.discard();
    this.state = PROLOG;
    return end;
  }

  private lt(c: number, i: number): void {
    if (isNameStart(c)) {
      if (this.inRoot && this.depth >= this.limits.maxDepth) {
        throw new StreamError('policy-violation', `elements nested deeper than ${this.limits.maxDepth}`);
      }
      this.mark = i;
      this.attrCount = 0;
      this.state = START_NAME;
    } else if (c === CH_SLASH) {
      if (!this.inRoot) throw notWellFormed('end tag before the stream element');
      this.state = END_START;
    } else if (c === 0x21 /* ! */) {
      this.bang = '';
      this.state = BANG;
    } else if (c === 0x3f /* ? */) {
      throw new StreamError('restricted-xml', 'processing instruction');
    } else {
      throw notWellFormed("'<' that does not start markup (write &lt;)");
    }
  }

  // '<!' starts a comment, CDATA section or DTD construct; decided within a few characters.
  private markupDeclaration(s: string, i: number): number {
    for (; i < s.length; i++) {
      const bang = (this.bang += s.charAt(i));
      if (bang === CDATA_OPEN) {
        if (!this.inRoot) throw notWellFormed('character data before the stream element');
        if (this.depth === 0) throw new StreamError('bad-format', 'text outside of a stanza');
        this.brackets = 0;
        this.mark = i + 1;
        this.state = CDATA;
        return i + 1;
      }
      if (bang === '--') throw new StreamError('restricted-xml', 'comment');
      if (BANG_FORMS.includes(bang)) throw new StreamError('restricted-xml', `<!${bang} (DTDs are not allowed)`);
      if (!BANG_FORMS.some((form) => form.startsWith(bang))) throw notWellFormed(`malformed markup <!${bang}`);
    }
    return i;
  }

  // A CDATA section becomes a text child of its own, as it did with ltx.
  private cdata(s: string, i: number): number {
    let brackets = this.brackets;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === CH_BRACKET) {
        brackets++;
      } else if (c === CH_GT && brackets >= 2) {
        // The ']]' just before '>' may have come in an earlier slice, so it is cut off the whole.
        const all = this.part + s.substring(this.mark, i);
        this.part = '';
        if (all.length > 2) this.current!.t(all.substring(0, all.length - 2));
        this.brackets = 0;
        this.mark = i + 1;
        this.state = TEXT;
        return i + 1;
      } else {
        brackets = 0;
      }
    }
    this.brackets = brackets;
    return i;
  }

  // Element and attribute names; the name ends at the first character that cannot be part of it.
  private name(s: string, i: number): number {
    let colon = this.colon;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80 ? ASCII_NAME_CHAR[c] === 1 : isNameChar(c)) {
        if (c === CH_COLON) colon = true;
        continue;
      }
      const name = this.part === '' ? knownName(s, this.mark, i) : this.part + s.substring(this.mark, i);
      this.part = '';
      this.colon = false;
      if (colon && !isQName(name)) throw notWellFormed(`name ${excerpt(name)} is not a valid qualified name`);
      if (this.state === START_NAME) {
        this.element = new Element(name);
        if (isSpace(c)) this.state = TAG;
        else this.tagEnd(s, c, i);
      } else if (this.state === ATTR_NAME) {
        for (let a = 0; a < this.attrCount; a++) {
          if (this.attrNames[a] === name) throw notWellFormed(`attribute ${excerpt(name)} repeated`);
        }
        this.attrNames[this.attrCount++] = name;
        this.attrName = name;
        if (c === CH_EQ) {
          // Straight into the value when its quote follows, as it nearly always does.
          const q = s.charCodeAt(i + 1);
          if (q === 0x22 || q === 0x27) {
            this.quote = q;
            this.mark = i + 2;
            this.state = ATTR_VALUE;
            return i + 2;
          }
          this.state = ATTR_QUOTE;
        } else if (isSpace(c)) {
          this.state = ATTR_EQ;
        } else {
          throw notWellFormed("attribute without '='");
        }
      } else {
        this.endName = name;
        if (c === CH_GT) this.endTagClosed(s, i);
        else if (isSpace(c)) this.state = END_SPACE;
        else throw notWellFormed('malformed end tag');
      }
      return i + 1;
    }
    this.colon = colon;
    return i;
  }

  private attrValue(s: string, i: number): number {
    const quote = this.quote;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === quote) {
        const value = this.part === '' ? s.substring(this.mark, i) : this.part + s.substring(this.mark, i);
        this.part = '';
        // Set on the element's own plain object, as ltx did: a name such as __proto__ behaves as it did there.
        this.element!.attrs[this.attrName] = value;
        // What follows is a space or the tag's end as a rule; anything else, or the slice's end, is ATTR_END's.
        const next = s.charCodeAt(i + 1);
        if (next === 0x20) {
          this.state = TAG;
          return i + 2;
        }
        if (next === CH_GT || next === CH_SLASH) {
          this.tagEnd(s, next, i + 1);
          return i + 2;
        }
        this.state = ATTR_END;
        return i + 1;
      }
      if (c === CH_AMP) {
        this.part += s.substring(this.mark, i);
        this.entity.begin();
        this.entityReturn = ATTR_VALUE;
        this.state = ENTITY;
        return i + 1;
      }
      if (c === CH_LT) throw notWellFormed("'<' in an attribute value");
    }
    return i;
  }

  // '>' or '/' where a start tag may end.
  private tagEnd(s: string, c: number, i: number): void {
    if (c === CH_GT) this.startTagClosed(s, i, false);
    else if (c === CH_SLASH) this.state = EMPTY_END;
    else throw notWellFormed('malformed start tag');
  }

  private startTagClosed(s: string, gt: number, empty: boolean): void {
    const element = this.element!;
    this.element = undefined;
    this.state = TEXT;
    this.mark = gt + 1;
    if (!this.inRoot) {
      this.inRoot = true;
      this.rootName = element.name;
      this.unit.finish(s, gt + 1);
      this.attrNames = []; // an idle stream keeps no backing store
      this.sink.rootTag(element);
      if (empty) this.closeRoot();
    } else if (this.depth === 0) {
      if (empty) {
        this.unit.finish(s, gt + 1);
        this.attrNames = [];
        this.sink.stanza(element);
      } else {
        this.current = element;
        this.depth = 1;
      }
    } else {
      this.current!.cnode(element);
      if (!empty) {
        this.current = element;
        this.depth++;
      }
    }
  }

  private endTagClosed(s: string, gt: number): void {
    const name = this.endName;
    const open = this.current;
    if (open === undefined) {
      if (name !== this.rootName) throw notWellFormed(`</${excerpt(name)}> does not close <${excerpt(this.rootName)}>`);
      this.unit.discard();
      this.closeRoot();
      return;
    }
    if (name !== open.name) throw notWellFormed(`</${excerpt(name)}> does not close <${excerpt(open.name)}>`);
    this.state = TEXT;
    this.mark = gt + 1;
    if (--this.depth === 0) {
      this.current = undefined;
      this.unit.finish(s, gt + 1);
      this.attrNames = [];
      this.sink.stanza(open);
    } else {
      this.current = open.parent!;
    }
  }

  private closeRoot(): void {
    this.state = DONE;
    this.sink.rootEnd();
  }
}

// Names that fill most stanzas, as literals: an attribute name cut from the source would be looked up in
// V8's string table on every store into `attrs`, and a literal also compares by identity at the end tag.
const KNOWN_NAMES = [
  'to', 'from', 'id', 'type', 'xmlns', 'xml:lang', 'version', 'stream:features',
  'message', 'presence', 'iq', 'body', 'subject', 'thread', 'show', 'status', 'priority', 'error', 'text',
  'x', 'c', 'hash', 'node', 'ver', 'query', 'item', 'jid', 'name', 'subscription', 'ask', 'group', 'ping',
  'bind', 'resource', 'r', 'a', 'h', 'enable', 'resume', 'previd', 'delay', 'stamp', 'by', 'stanza-id',
  'origin-id', 'received', 'request', 'active', 'composing', 'paused', 'inactive', 'gone', 'markable',
  'displayed', 'sent', 'forwarded', 'private', 'no-copy', 'no-store', 'store', 'code', 'var', 'nick',
];
const KNOWN_BY_HEAD: Array<string[] | undefined> = [];
for (const name of KNOWN_NAMES) (KNOWN_BY_HEAD[nameHead(name.length, name.charCodeAt(0))] ??= []).push(name);

function nameHead(length: number, first: number): number {
  return ((length & 0x1f) << 7) | (first & 0x7f);
}

/** s[from, to) as a name, the literal when it is one of the known names. */
function knownName(s: string, from: number, to: number): string {
  const length = to - from;
  if (length <= 0x1f) {
    const candidates = KNOWN_BY_HEAD[nameHead(length, s.charCodeAt(from))];
    if (candidates !== undefined) {
      for (const candidate of candidates) if (s.startsWith(candidate, from)) return candidate;
    }
  }
  return s.substring(from, to);
}

function notWellFormed(text: string): StreamError {
  return new StreamError('not-well-formed', text);
}
