// ltx's own SAX parser (the one its Parser builds trees with); @types/ltx does not describe it.
declare module 'ltx/src/parsers/ltx.js' {
  import { EventEmitter } from 'node:events';
  export default class SaxLtx extends EventEmitter {
    write(data: string): void;
    end(data?: string): void;
    on(event: 'startElement', listener: (name: string, attrs: Record<string, string>) => void): this;
    on(event: 'endElement', listener: (name: string, selfClosing: boolean) => void): this;
    on(event: 'text', listener: (text: string) => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
  }
}
