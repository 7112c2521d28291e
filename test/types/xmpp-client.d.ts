// Just enough of @xmpp/client's API for the tests (the package ships no types).
declare module '@xmpp/client' {
  import type { Element } from 'ltx';
  export { xml } from '@xmpp/xml';
  export interface XmppClient {
    start(): Promise<unknown>;
    stop(): Promise<void>;
    send(element: Element): Promise<void>;
    on(event: 'online', listener: (jid: { toString(): string }) => void): void;
    on(event: 'stanza', listener: (stanza: Element) => void): void;
    on(event: 'error' | 'offline' | 'status', listener: (value: unknown) => void): void;
    iqCaller: { request(element: Element, timeout?: number): Promise<Element> };
    /** XEP-0484 FAST token storage hooks (in memory unless replaced). */
    fast: { saveToken(token: unknown): Promise<void>; fetchToken(): Promise<unknown> };
    jid?: { toString(): string };
  }
  export function client(options: { service: string; domain: string; resource?: string; username?: string; password?: string; userAgent?: Element; timeout?: number }): XmppClient;
}
