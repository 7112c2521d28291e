// A tiny authoritative DNS server on 127.0.0.1 for interop tests, so peers find each other's s2s
// ports without touching real DNS. It answers, for each configured XMPP domain:
//   SRV  _xmpp-server._tcp.<domain>   -> 0 5 <s2sPort> <srvTarget>.
//   SRV  _xmpps-server._tcp.<domain>  -> 0 5 <directTlsPort> <srvTarget>.  (only if directTlsPort is set)
//   SRV  _xmpp-client._tcp.<domain>   -> 0 5 <c2sPort> <srvTarget>.        (only if c2sPort is set)
//   A    <domain>                     -> <host> (default 127.0.0.1)
// srvTarget defaults to the host address written as a name ("127.0.0.1."). That is unusual for
// SRV, but deliberate: ejabberd (p1_xmpp xmpp_stream_out) resolves SRV targets with the OS
// resolver (net:getaddrinfo), not with its inetrc nameserver, so a target *name* such as
// "prosody.test" would go to /etc/resolv.conf's real DNS server. An address literal is parsed
// numerically by getaddrinfo and never leaves the machine.
// Any other name gets NXDOMAIN; a known name with another type gets NOERROR and no answers.
// UDP only; answers are tiny, so truncation (and hence TCP) never comes into play.
//
// Wire format (RFC 1035 §4): a 12-byte header (id, flags, qd/an/ns/ar counts), then the question
// (name as length-prefixed labels, qtype, qclass), then answer records (name, type, class, TTL,
// rdlength, rdata). Answers point back at the question name with a compression pointer (0xC00C).
import dgram from 'node:dgram';

export interface DnsTarget {
  /** Port for `_xmpp-server._tcp` (STARTTLS s2s). */
  s2sPort: number;
  /** Port for `_xmpps-server._tcp` (direct TLS s2s, XEP-0368); no record if unset. */
  directTlsPort?: number;
  /** Port for `_xmpp-client._tcp`; no record if unset. */
  c2sPort?: number;
  /** IPv4 address for the A record; default 127.0.0.1. */
  host?: string;
  /** SRV target name; default the address itself ("127.0.0.1"), see the note at the top. */
  srvTarget?: string;
}

export interface DnsQueryLog {
  name: string;
  type: string;
  rcode: number;
  answers: number;
}

export interface LoopbackDns {
  port: number;
  /** Adds or replaces a domain. */
  set(domain: string, target: DnsTarget): void;
  delete(domain: string): void;
  /** Every query answered, in order (for assertions and debugging). */
  readonly queries: DnsQueryLog[];
  close(): Promise<void>;
}

const TYPE_A = 1;
const TYPE_SRV = 33;
const CLASS_IN = 1;
const TYPE_NAMES: Record<number, string> = { 1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 41: 'OPT', 255: 'ANY' };
const RCODE_NOERROR = 0;
const RCODE_FORMERR = 1;
const RCODE_NXDOMAIN = 3;
const RCODE_NOTIMP = 4;
const TTL = 5;

function encodeName(name: string): Buffer {
  const parts = name.replace(/\.$/, '').split('.').filter((l) => l.length > 0);
  const bufs = parts.map((label) => {
    const bytes = Buffer.from(label, 'ascii');
    if (bytes.length > 63) throw new Error(`DNS label too long: ${label}`);
    return Buffer.concat([Buffer.from([bytes.length]), bytes]);
  });
  return Buffer.concat([...bufs, Buffer.from([0])]);
}

/** Reads an uncompressed name (queries never compress the question). Returns name and next offset. */
function decodeName(msg: Buffer, offset: number): { name: string; next: number } {
  const labels: string[] = [];
  let pos = offset;
  for (;;) {
    if (pos >= msg.length) throw new Error('name runs past end of message');
    const len = msg[pos]!;
    if (len === 0) return { name: labels.join('.'), next: pos + 1 };
    if ((len & 0xc0) !== 0) throw new Error('compressed name in question');
    labels.push(msg.subarray(pos + 1, pos + 1 + len).toString('ascii'));
    pos += 1 + len;
  }
}

function record(type: number, rdata: Buffer): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16BE(0xc00c, 0); // pointer to the question name at offset 12
  head.writeUInt16BE(type, 2);
  head.writeUInt16BE(CLASS_IN, 4);
  head.writeUInt32BE(TTL, 6);
  head.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([head, rdata]);
}

function srvRdata(port: number, target: string): Buffer {
  const fixed = Buffer.alloc(6);
  fixed.writeUInt16BE(0, 0); // priority
  fixed.writeUInt16BE(5, 2); // weight
  fixed.writeUInt16BE(port, 4);
  return Buffer.concat([fixed, encodeName(target)]);
}

function aRdata(ip: string): Buffer {
  const octets = ip.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !(o >= 0 && o <= 255))) throw new Error(`not an IPv4 address: ${ip}`);
  return Buffer.from(octets);
}

/** Builds the reply for one query message; exported for unit-level checks. */
export function answerQuery(msg: Buffer, table: Map<string, DnsTarget>): { reply: Buffer; log: DnsQueryLog } | undefined {
  if (msg.length < 12) return undefined;
  const id = msg.readUInt16BE(0);
  const flags = msg.readUInt16BE(2);
  if (flags & 0x8000) return undefined; // a response, not a query
  const opcode = (flags >> 11) & 0xf;
  const rd = flags & 0x0100;
  const qdcount = msg.readUInt16BE(4);

  const header = (rcode: number, qd: number, an: number): Buffer => {
    const h = Buffer.alloc(12);
    h.writeUInt16BE(id, 0);
    // QR=1, opcode echoed, AA=1, RD echoed, RA=0, rcode
    h.writeUInt16BE(0x8000 | (opcode << 11) | 0x0400 | rd | rcode, 2);
    h.writeUInt16BE(qd, 4);
    h.writeUInt16BE(an, 6);
    return h;
  };

  if (opcode !== 0 || qdcount !== 1) {
    return { reply: header(opcode !== 0 ? RCODE_NOTIMP : RCODE_FORMERR, 0, 0), log: { name: '', type: '?', rcode: RCODE_FORMERR, answers: 0 } };
  }
  let qname: string;
  let next: number;
  try {
    ({ name: qname, next } = decodeName(msg, 12));
  } catch {
    return { reply: header(RCODE_FORMERR, 0, 0), log: { name: '', type: '?', rcode: RCODE_FORMERR, answers: 0 } };
  }
  if (next + 4 > msg.length) return { reply: header(RCODE_FORMERR, 0, 0), log: { name: qname, type: '?', rcode: RCODE_FORMERR, answers: 0 } };
  const qtype = msg.readUInt16BE(next);
  const qclass = msg.readUInt16BE(next + 2);
  const question = msg.subarray(12, next + 4);
  const name = qname.toLowerCase();

  const answers: Buffer[] = [];
  let known = false;
  const srv = /^_(xmpp-server|xmpps-server|xmpp-client)\._tcp\.(.+)$/.exec(name);
  if (srv) {
    const target = table.get(srv[2]!);
    if (target) {
      const port = srv[1] === 'xmpp-server' ? target.s2sPort : srv[1] === 'xmpps-server' ? target.directTlsPort : target.c2sPort;
      if (port !== undefined) {
        known = true;
        const srvTarget = target.srvTarget ?? target.host ?? '127.0.0.1';
        if ((qtype === TYPE_SRV || qtype === 255) && (qclass === CLASS_IN || qclass === 255)) answers.push(record(TYPE_SRV, srvRdata(port, srvTarget)));
      }
    }
  } else {
    const target = table.get(name);
    if (target) {
      known = true;
      if ((qtype === TYPE_A || qtype === 255) && (qclass === CLASS_IN || qclass === 255)) answers.push(record(TYPE_A, aRdata(target.host ?? '127.0.0.1')));
    }
  }
  const rcode = known ? RCODE_NOERROR : RCODE_NXDOMAIN;
  return {
    reply: Buffer.concat([header(rcode, 1, answers.length), question, ...answers]),
    log: { name: qname, type: TYPE_NAMES[qtype] ?? String(qtype), rcode, answers: answers.length },
  };
}

/** Starts the server on 127.0.0.1 (port 0 = pick a free one). */
export async function startLoopbackDns(domains: Record<string, DnsTarget> = {}, port = 0): Promise<LoopbackDns> {
  const table = new Map<string, DnsTarget>(Object.entries(domains).map(([d, t]) => [d.toLowerCase(), t]));
  const queries: DnsQueryLog[] = [];
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    const result = answerQuery(msg, table);
    if (!result) return;
    queries.push(result.log);
    socket.send(result.reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });
  socket.on('error', () => undefined);
  return {
    port: socket.address().port,
    set: (domain, target) => void table.set(domain.toLowerCase(), target),
    delete: (domain) => void table.delete(domain.toLowerCase()),
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
