// The subjectAltName extension of an XMPP server certificate, built as raw ASN.1 because
// node-forge's high-level API cannot express otherName entries.
//
// For each domain it carries, in the order RFC 6125 clients look for them:
//   dNSName        domain                                  (RFC 5280)
//   otherName      id-on-xmppAddr  UTF8String domain      (RFC 6120 §13.7.1.4)
//   otherName      id-on-dnsSRV    IA5String _xmpp-client.<domain>, _xmpp-server.<domain> (RFC 4985)
import { domainToASCII } from 'node:url';
import forge from 'node-forge';

export const OID_SUBJECT_ALT_NAME = '2.5.29.17';
export const OID_XMPP_ADDR = '1.3.6.1.5.5.7.8.5';
export const OID_DNS_SRV = '1.3.6.1.5.5.7.8.7';

const { asn1 } = forge;

/** A node-forge extension object whose value is our own DER, for `cert.setExtensions`. */
export function xmppSubjectAltNameExtension(domains: readonly string[]): { id: string; critical: boolean; value: forge.asn1.Asn1 } {
  const names: forge.asn1.Asn1[] = [];
  for (const domain of domains) {
    // DNS names and SRV-IDs are A-labels; xmppAddr carries the JID domainpart (U-labels, UTF-8).
    const ascii = domainToASCII(domain) || domain;
    names.push(dnsName(ascii));
    names.push(otherName(OID_XMPP_ADDR, asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTF8, false, forge.util.encodeUtf8(domain))));
    for (const service of ['_xmpp-client', '_xmpp-server']) {
      names.push(otherName(OID_DNS_SRV, asn1.create(asn1.Class.UNIVERSAL, asn1.Type.IA5STRING, false, `${service}.${ascii}`)));
    }
  }
  // RFC 5280 §4.2.1.6: critical only when the subject is empty, and ours always has a CN.
  return { id: OID_SUBJECT_ALT_NAME, critical: false, value: asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, names) };
}

/** GeneralName dNSName: [2] IMPLICIT IA5String. */
function dnsName(domain: string): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.CONTEXT_SPECIFIC, 2, false, domain);
}

/**
 * GeneralName otherName: [0] IMPLICIT SEQUENCE { type-id OID, value [0] EXPLICIT ANY }.
 * The implicit [0] replaces the SEQUENCE tag, so the tag is constructed and holds both parts.
 */
function otherName(typeId: string, value: forge.asn1.Asn1): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(typeId).getBytes()),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [value]),
  ]);
}
