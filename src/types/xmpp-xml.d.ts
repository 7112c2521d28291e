// @xmpp/xml ships no type declarations; its Element is ltx's, which @types/ltx describes.
declare module '@xmpp/xml' {
  import { Element, escapeXML, escapeXMLText } from 'ltx';
  export type XmlAttrs = Record<string, string | number | undefined | null>;
  export type XmlChild = Element | string | null | undefined | false;
  export function xml(name: string, attrs?: XmlAttrs | null, ...children: Array<XmlChild | XmlChild[]>): Element;
  export { Element, escapeXML, escapeXMLText };
  /** xmpp.js's streaming parser (ltx-based); used by the test client, not by the server. */
  export class Parser {
    write(data: string): void;
    end(data?: string): void;
    on(event: 'start' | 'element' | 'end', listener: (element: Element) => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
  }
  export default xml;
}
