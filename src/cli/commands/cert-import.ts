// `herald cert import <dir>`: installs a certificate from a Let's Encrypt (certbot) live folder
// into certsDir for every served domain it names, then has a running server reload it. Meant to
// run as certbot's deploy hook (docs/certificates.md), so renewals need no restart.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { adminRequest, AdminError } from '../../admin/admin-client.js';
import { adminSocketPath } from '../../admin/admin-server.js';
import { describeCertificate } from '../../net/certificate-inspection.js';
import { pairProblem } from '../../net/certificates.js';
import { CliError } from '../cli-error.js';
import { loadCliConfig, servedDomain, type GlobalOptions } from '../context.js';

export function registerImport(cert: Command, globals: () => GlobalOptions): void {
  cert
    .command('import <dir>')
    .description("install fullchain.pem + privkey.pem from a Let's Encrypt live folder for each served domain they name, and reload the running server")
    .option('--domain <domain>', 'only this domain (default: every served domain the certificate names)')
    .action(async (dir: string, options: { domain?: string }) => {
      const config = loadCliConfig(globals());
      const certPem = readPem(path.join(dir, 'fullchain.pem'));
      const keyPem = readPem(path.join(dir, 'privkey.pem'));
      const problem = pairProblem(certPem, keyPem);
      if (problem !== undefined) throw new CliError(`${path.join(dir, problem.part === 'cert' ? 'fullchain.pem' : 'privkey.pem')}: ${problem.text}`);

      const candidates = options.domain === undefined ? config.domains.map((d) => d.name) : [servedDomain(options.domain, config)];
      const named = candidates.filter((domain) => describeCertificate(certPem, domain).namesDomain);
      if (named.length === 0) {
        const names = describeCertificate(certPem, candidates[0]!).names.join(', ');
        throw new CliError(`the certificate names ${names || 'nothing'}, none of: ${candidates.join(', ')}`);
      }
      const info = describeCertificate(certPem, named[0]!);
      if (info.validTo.getTime() < Date.now()) throw new CliError(`the certificate expired on ${info.validTo.toISOString()}`);
      for (const domain of named) {
        if (config.domains.find((d) => d.name === domain)?.tls !== undefined) {
          throw new CliError(`${domain} takes its certificate from domains[].tls in ${config.sourceFile}; remove those keys to use certsDir, or point them at ${dir}`);
        }
      }
      fs.mkdirSync(config.certsDir, { recursive: true });
      for (const domain of named) {
        // Key first and each by rename, so a server reading at any moment sees an old or a new pair.
        replaceFile(path.join(config.certsDir, `${domain}.key`), keyPem, 0o600);
        replaceFile(path.join(config.certsDir, `${domain}.crt`), certPem, 0o644);
        console.log(`installed for ${domain}: SHA-256 ${info.sha256}, valid to ${info.validTo.toISOString()}`);
      }
      await reloadRunningServer(adminSocketPath(config.storage.dataDir));
    });
}

async function reloadRunningServer(socketPath: string): Promise<void> {
  try {
    await adminRequest(socketPath, 'certs.reload');
    console.log('the running server reloaded its certificates');
  } catch (error) {
    if (error instanceof AdminError && error.notRunning) {
      console.log('no server is running with this configuration; it will use the new certificate when it starts');
      return;
    }
    throw new CliError(`installed, but the running server could not reload: ${(error as Error).message}`);
  }
}

function readPem(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'}); expected a certbot live folder such as /etc/letsencrypt/live/example.org`);
  }
}

function replaceFile(file: string, content: string, mode: number): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, content, { mode });
  fs.chmodSync(temporary, mode);
  // As root (certbot's hook), hand the files to whoever owns certsDir: the server's own user.
  if (process.getuid?.() === 0) {
    const owner = fs.statSync(path.dirname(file));
    fs.chownSync(temporary, owner.uid, owner.gid);
  }
  fs.renameSync(temporary, file);
}
