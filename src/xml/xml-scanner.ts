// The guarding scanner: a strict, resumable check of the restricted XML an XMPP stream may carry
// (XML 1.0 well-formedness, Namespaces in XML name syntax, RFC 6120 §11.1 restrictions and Herald's limits).
// It builds nothing; it frames the stream into the source text of the stream tag and of each first-level
// element, which are known to be good when handed on, so the (lax) ltx tokenizer can build them safely.
import { StreamError } from '../protocol/stream-error.js';
import { EntityRef } from './entity-ref.js';
import { excerpt } from './excerpt.js';
import { MarkupUnit } from './markup-unit.js';
import type { StreamParserLimits } from './stream-parser.js';
import { checkDeclaration, checkDeclarationStart } from './xml-declaration.js';
import { ILLEGAL_XML_CHAR, isNameChar, isNameStart, isQName, isSpace } from './xml-chars.js';

export interface ScanSink {
  /** The stream's start tag, from '<' to '>'. */
  rootTag(source: string): void;
  /** One complete first-level element. */
  stanza(source: string): void;
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

// What may follow '<!'. Only CDATA sections are allowed (RFC 6120 §11.1).
const CDATA_OPEN = '[CDATA[';
const BANG_FORMS = ['--', CDATA_OPEN, 'DOCTYPE', 'ENTITY', 'ELEMENT', 'ATTLIST', 'NOTATION'];

export class XmlScanner {
  private state = START;
  private inRoot = false;
  private rootName = '';
  /** Open elements inside the stream; its length is the depth (the stanza is depth 1). */
  private readonly open: string[] = [];
  private readonly unit: MarkupUnit;
  private readonly entity = new EntityRef();
  private entityReturn = TEXT;
  private nameStart = 0;
  private namePart = '';
  private elementName = '';
  private readonly attrNames: string[] = []; // of the current start tag: the first attrCount entries
  private attrCount = 0;
  private quote = 0;
  private brackets = 0; // ']' just seen in text (for ']]>') or CDATA (for its end)
  private bang = '';
  private declaration = '';

  constructor(
    private readonly limits: StreamParserLimits,
    private readonly sink: ScanSink,
  ) {
    this.unit = new MarkupUnit(limits.maxStanzaBytes);
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
    let i = 0;
    while (i < s.length) {
      i = this.step(s, i);
      if (this.state === DONE) return;
    }
    if (this.state === START_NAME || this.state === ATTR_NAME || this.state === END_NAME) {
      this.namePart += s.substring(this.nameStart);
      this.nameStart = 0;
    }
    this.unit.carry(s);
  }

  // Runs the current state from `i` as far as it goes; returns where the next state starts.
  private step(s: string, i: number): number {
    const c = s.charCodeAt(i);
    switch (this.state) {
      case TEXT:
        return this.open.length === 0 ? this.whitespace(s, i) : this.text(s, i);
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
          this.nameStart = i;
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
        this.nameStart = i;
        this.state = END_NAME;
        return i + 1;
      case END_SPACE:
        if (c === CH_GT) this.endTagClosed(s, i);
        else if (!isSpace(c)) throw notWellFormed('malformed end tag');
        return i + 1;
      case CDATA:
        return this.cdata(s, i);
      case ENTITY:
        if (this.entity.push(c)) this.state = this.entityReturn;
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

  private text(s: string, i: number): number {
    let brackets = this.brackets;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === CH_LT || c === CH_AMP) {
        this.brackets = 0;
        if (c === CH_LT) {
          this.state = LT;
        } else {
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
      if (this.inRoot && this.open.length >= this.limits.maxDepth) {
        throw new StreamError('policy-violation', `elements nested deeper than ${this.limits.maxDepth}`);
      }
      this.nameStart = i;
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
        if (this.open.length === 0) throw new StreamError('bad-format', 'text outside of a stanza');
        this.brackets = 0;
        this.state = CDATA;
        return i + 1;
      }
      if (bang === '--') throw new StreamError('restricted-xml', 'comment');
      if (BANG_FORMS.includes(bang)) throw new StreamError('restricted-xml', `<!${bang} (DTDs are not allowed)`);
      if (!BANG_FORMS.some((form) => form.startsWith(bang))) throw notWellFormed(`malformed markup <!${bang}`);
    }
    return i;
  }

  private cdata(s: string, i: number): number {
    let brackets = this.brackets;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === CH_BRACKET) {
        brackets++;
      } else if (c === CH_GT && brackets >= 2) {
        this.brackets = 0;
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
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (isNameChar(c)) continue;
      const name = this.namePart + s.substring(this.nameStart, i);
      this.namePart = '';
      if (!isQName(name)) throw notWellFormed(`name ${excerpt(name)} is not a valid qualified name`);
      if (this.state === START_NAME) {
        this.elementName = name;
        if (isSpace(c)) this.state = TAG;
        else this.tagEnd(s, c, i);
      } else if (this.state === ATTR_NAME) {
        for (let a = 0; a < this.attrCount; a++) {
          if (this.attrNames[a] === name) throw notWellFormed(`attribute ${excerpt(name)} repeated`);
        }
        this.attrNames[this.attrCount++] = name;
        if (c === CH_EQ) this.state = ATTR_QUOTE;
        else if (isSpace(c)) this.state = ATTR_EQ;
        else throw notWellFormed("attribute without '='");
      } else {
        this.elementName = name;
        if (c === CH_GT) this.endTagClosed(s, i);
        else if (isSpace(c)) this.state = END_SPACE;
        else throw notWellFormed('malformed end tag');
      }
      return i + 1;
    }
    return i;
  }

  private attrValue(s: string, i: number): number {
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === this.quote) {
        this.state = ATTR_END;
        return i + 1;
      }
      if (c === CH_AMP) {
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
    this.state = TEXT;
    if (!this.inRoot) {
      this.inRoot = true;
      this.rootName = this.elementName;
      this.sink.rootTag(this.unit.finish(s, gt + 1));
      if (empty) this.closeRoot();
    } else if (!empty) {
      this.open.push(this.elementName);
    } else if (this.open.length === 0) {
      this.sink.stanza(this.unit.finish(s, gt + 1));
    }
  }

  private endTagClosed(s: string, gt: number): void {
    const name = this.elementName;
    const opened = this.open.pop();
    if (opened === undefined) {
      if (name !== this.rootName) throw notWellFormed(`</${excerpt(name)}> does not close <${excerpt(this.rootName)}>`);
      this.unit.discard();
      this.closeRoot();
      return;
    }
    if (name !== opened) throw notWellFormed(`</${excerpt(name)}> does not close <${excerpt(opened)}>`);
    this.state = TEXT;
    if (this.open.length === 0) this.sink.stanza(this.unit.finish(s, gt + 1));
  }

  private closeRoot(): void {
    this.state = DONE;
    this.sink.rootEnd();
  }
}

function notWellFormed(text: string): StreamError {
  return new StreamError('not-well-formed', text);
}
