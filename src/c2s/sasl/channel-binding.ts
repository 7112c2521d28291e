// Channel binding data for SCRAM -PLUS over a TLS stream: proves to both ends that the SASL
// exchange ran inside this very TLS session, defeating a man in the middle.
import { createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { ChannelBindingProvider, ChannelBindingType } from './mechanism.js';

/**
 * Provider for one connection; offers nothing before TLS (socket undefined). `ownCertificate`
 * gives the DER of the certificate this socket presented, when the caller knows it cheaply;
 * otherwise the socket is asked.
 */
export function createTlsChannelBinding(socket: TLSSocket | undefined, ownCertificate?: () => Buffer | undefined): ChannelBindingProvider {
  if (socket === undefined) return { types: () => [], data: () => undefined };

  let endPoint: Buffer | null | undefined; // null: computed, none available
  const serverEndPoint = (): Buffer | undefined => {
    if (endPoint === undefined) endPoint = (ownCertificate ? endPointOf(ownCertificate()) : tlsServerEndPoint(socket)) ?? null;
    return endPoint ?? undefined;
  };

  // Asked several times per login (features, mechanism lists, SSDP); the handshake is over, so
  // the answer cannot change.
  let offered: readonly ChannelBindingType[] | undefined;
  return {
    types() {
      if (offered) return offered;
      const types: ChannelBindingType[] = [];
      // RFC 9266 defines tls-exporter for TLS 1.3 only; earlier versions need extended master
      // secret. tls-unique (RFC 5929) is the reverse: undefined on TLS 1.3 (RFC 8446 §C.5).
      if (socket.getProtocol() === 'TLSv1.3') types.push('tls-exporter');
      else if (tlsUnique(socket) !== undefined) types.push('tls-unique');
      if (serverEndPoint() !== undefined) types.push('tls-server-end-point');
      offered = types;
      return types;
    },
    data(type) {
      if (type === 'tls-server-end-point') return serverEndPoint();
      if (type === 'tls-exporter') return tlsExporter(socket);
      if (type === 'tls-unique') return tlsUnique(socket);
      return undefined;
    },
  };
}

function tlsExporter(socket: TLSSocket): Buffer | undefined {
  if (socket.getProtocol() !== 'TLSv1.3') return undefined;
  try {
    return socket.exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', Buffer.alloc(0));
  } catch {
    return undefined; // socket already closed
  }
}

/** RFC 5929 §3.1: the first Finished message of the latest handshake (the client's, unless resumed). */
function tlsUnique(socket: TLSSocket): Buffer | undefined {
  if (socket.getProtocol() === 'TLSv1.3') return undefined;
  return (socket.isSessionReused() ? socket.getFinished() : socket.getPeerFinished()) ?? undefined;
}

function tlsServerEndPoint(socket: TLSSocket): Buffer | undefined {
  const cert = socket.getCertificate();
  return cert !== null && 'raw' in cert && Buffer.isBuffer(cert.raw) ? endPointOf(cert.raw) : undefined;
}

/** Per certificate DER (the same Buffer for every connection of a domain): hashed once. */
const endPoints = new WeakMap<Buffer, Buffer | null>();

/** RFC 5929 §4.1: hash of our certificate, with its signature's hash (MD5/SHA-1 → SHA-256). */
function endPointOf(der: Buffer | undefined): Buffer | undefined {
  if (der === undefined) return undefined;
  let known = endPoints.get(der);
  if (known === undefined) {
    const hash = signatureHash(der);
    known = hash === undefined ? null : createHash(hash).update(der).digest();
    endPoints.set(der, known);
  }
  return known ?? undefined;
}

// --- Just enough DER to read Certificate.signatureAlgorithm (RFC 5280 §4.1.1.2). ---

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

function readTlv(der: Buffer, offset: number, limit: number): Tlv | undefined {
  const tag = der[offset];
  let length = der[offset + 1];
  if (tag === undefined || length === undefined || offset + 2 > limit) return undefined;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > limit) return undefined;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[start + i] as number);
    start += count;
  }
  const end = start + length;
  return end <= limit ? { tag, start, end } : undefined;
}

function oidString(bytes: Buffer): string {
  const arcs: number[] = [];
  let value = 0;
  for (const byte of bytes) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    }
  }
  const first = arcs.shift() ?? 0;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...arcs].join('.');
}

const SEQUENCE = 0x30;
const OID = 0x06;
const CONTEXT_0 = 0xa0;

/** Signature algorithm OID → hash it uses. */
const SIGNATURE_HASH: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'md5', // md5WithRSAEncryption
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1', // ecdsa-with-SHA1
  '1.2.840.10045.4.3.1': 'sha224',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.10040.4.3': 'sha1', // dsa-with-sha1
  '2.16.840.1.101.3.4.3.1': 'sha224',
  '2.16.840.1.101.3.4.3.2': 'sha256',
};

/** Hash algorithm OID → name, for RSASSA-PSS parameters. */
const HASH_OID: Record<string, string> = {
  '1.2.840.113549.2.5': 'md5',
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

const RSASSA_PSS = '1.2.840.113549.1.1.10';

/**
 * The hash for tls-server-end-point, or undefined when RFC 5929 defines none (e.g. Ed25519,
 * which has no separate hash) or the certificate cannot be read.
 */
export function signatureHash(der: Buffer): string | undefined {
  const cert = readTlv(der, 0, der.length);
  if (cert?.tag !== SEQUENCE) return undefined;
  const tbs = readTlv(der, cert.start, cert.end);
  if (tbs?.tag !== SEQUENCE) return undefined;
  const algorithm = readTlv(der, tbs.end, cert.end);
  if (algorithm?.tag !== SEQUENCE) return undefined;
  const oid = readTlv(der, algorithm.start, algorithm.end);
  if (oid?.tag !== OID) return undefined;
  const name = oidString(der.subarray(oid.start, oid.end));

  let hash = SIGNATURE_HASH[name];
  if (name === RSASSA_PSS) hash = pssHash(der, oid.end, algorithm.end);
  if (hash === undefined) return undefined;
  return hash === 'md5' || hash === 'sha1' ? 'sha256' : hash;
}

// RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] AlgorithmIdentifier DEFAULT sha1, ... }
function pssHash(der: Buffer, offset: number, limit: number): string | undefined {
  const params = readTlv(der, offset, limit);
  if (params?.tag !== SEQUENCE) return 'sha1';
  const first = readTlv(der, params.start, params.end);
  if (first?.tag !== CONTEXT_0) return 'sha1';
  const hashAlg = readTlv(der, first.start, first.end);
  const hashOid = hashAlg?.tag === SEQUENCE ? readTlv(der, hashAlg.start, hashAlg.end) : undefined;
  if (hashOid?.tag !== OID) return undefined;
  return HASH_OID[oidString(der.subarray(hashOid.start, hashOid.end))];
}
