// `herald cert generate`: self-signed certificates for domains, written into the certs folder.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { generateSelfSigned, KEY_TYPES, type KeyType } from '../../net/certificates.js';
import { parseJid } from '../../protocol/jid.js';
import { CliError } from '../cli-error.js';
import { registerImport } from './cert-import.js';
import { inspectCertificates, type CertificateInfo } from '../../net/certificate-inspection.js';
import { loadCliConfig, type GlobalOptions } from '../context.js';

export function registerCertCommands(program: Command, globals: () => GlobalOptions): void {
  const cert = program.command('cert').description('manage TLS certificates');
  cert
    .command('generate <domain...>')
    .description('write a self-signed certificate and key for each domain into the certs folder')
    .option('--out <dir>', 'folder to write into (default: certsDir from the configuration)')
    .option('--force', 'replace existing files')
    .option('--days <n>', 'validity in days', '825')
    .option('--key-type <type>', "'ec' (ECDSA P-256, fast handshakes) or 'rsa' (RSA 2048, for very old clients)", 'ec')
    .action(async (domains: string[], options: { out?: string; force?: boolean; days: string; keyType: string }) => {
      const days = Number(options.days);
      if (!Number.isInteger(days) || days < 1) throw new CliError(`--days: expected a positive integer, found '${options.days}'`);
      const keyType = options.keyType as KeyType;
      if (!KEY_TYPES.includes(keyType)) throw new CliError(`--key-type: expected 'ec' or 'rsa', found '${options.keyType}'`);
      const dir = path.resolve(options.out ?? loadCliConfig(globals()).certsDir);
      fs.mkdirSync(dir, { recursive: true });
      for (const input of domains) {
        const jid = parseDomain(input);
        const certPath = path.join(dir, `${jid}.crt`);
        const keyPath = path.join(dir, `${jid}.key`);
        if (!options.force && (fs.existsSync(certPath) || fs.existsSync(keyPath))) {
          throw new CliError(`${certPath} or its key already exists: use --force to replace`);
        }
        const pair = generateSelfSigned([jid], { days, keyType });
        fs.writeFileSync(keyPath, pair.keyPem, { mode: 0o600 });
        fs.writeFileSync(certPath, pair.certPem);
        console.log(`wrote ${certPath} and ${keyPath}`);
      }
    });
  registerShow(cert, globals);
  registerImport(cert, globals);
}

/** `herald cert show [domain]`: what a client will be asked to trust, without starting the server. */
function registerShow(cert: Command, globals: () => GlobalOptions): void {
  cert
    .command('show [domain]')
    .description('show the certificate of each domain (or one): fingerprints, names, expiry')
    .action((domain: string | undefined) => {
      const config = loadCliConfig(globals());
      const wanted = domain?.toLowerCase();
      if (wanted !== undefined && !config.domains.some((d) => d.name === wanted)) {
        throw new CliError(`domain '${wanted}' is not served by this configuration (served: ${config.domains.map((d) => d.name).join(', ')})`);
      }
      for (const found of inspectCertificates(config).filter((c) => wanted === undefined || c.domain === wanted)) {
        console.log(`${found.domain}: ${found.certPath}`);
        if (found.problem !== undefined) console.log(`  problem:  ${found.problem}`);
        else if (found.info === undefined) console.log('  none yet: herald start generates a self-signed one');
        else console.log(formatCertificate(found.info));
      }
    });
}

export function formatCertificate(info: CertificateInfo): string {
  const days = Math.floor((info.validTo.getTime() - Date.now()) / 86_400_000);
  return [
    `  SHA-256:  ${info.sha256}`,
    `  SHA-1:    ${info.sha1}`,
    `  names:    ${info.names.join(', ') || '(none)'}${info.namesDomain ? '' : '  (does NOT name this domain)'}`,
    `  issuer:   ${info.selfSigned ? 'self-signed' : info.issuer}`,
    `  valid:    ${info.validFrom.toISOString()} to ${info.validTo.toISOString()} (${days < 0 ? 'EXPIRED' : `${days} days left`})`,
  ].join('\n');
}

function parseDomain(input: string): string {
  try {
    const jid = parseJid(input);
    if (jid.isDomain) return jid.domain;
  } catch {
    // fall through to the error below
  }
  throw new CliError(`'${input}' is not a domain name`);
}
