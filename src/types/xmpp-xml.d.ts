// @xmpp/xml ships no type declarations; its Element is ltx's, which @types/ltx describes.
declare module '@xmpp/xml' {
  import { Element, escapeXML, escapeXMLText } from 'ltx';
  export type XmlAttrs = Record<string, string | number | undefined | null>;
  export type XmlChild = Element | string | null | undefined | false;
  export function xml(name: string, attrs?: XmlAttrs | null, ...children: Array<XmlChild | XmlChild[]>): Element;
  export { Element, escapeXML, escapeXMLText };
  export default xml;
}
