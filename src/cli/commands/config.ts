// `herald config check`: loads and validates the configuration the server would use.
import type { Command } from 'commander';
import { loadCliConfig, type GlobalOptions } from '../context.js';

export function registerConfigCommands(program: Command, globals: () => GlobalOptions): void {
  const config = program.command('config').description('inspect the configuration');
  config
    .command('check')
    .description('validate the configuration file and environment overrides')
    .action(() => {
      const loaded = loadCliConfig(globals());
      const { c2s, c2sDirectTls, s2s, s2sTls } = loaded.listeners;
      console.log(`OK ${loaded.sourceFile ?? '(built-in defaults)'}`);
      console.log(`domains: ${loaded.domains.map((d) => d.name).join(', ')}`);
      console.log(`c2s: ${c2s.enabled ? `${c2s.host}:${c2s.port}` : 'off'}; direct TLS: ${c2sDirectTls.enabled ? `${c2sDirectTls.host}:${c2sDirectTls.port}` : 'off'}`);
      console.log(`s2s (federation): ${s2s.enabled ? `${s2s.host}:${s2s.port}; direct TLS: ${s2sTls.enabled ? `${s2sTls.host}:${s2sTls.port}` : 'off'}` : 'off'}`);
      console.log(`data: ${loaded.storage.dataDir}; certificates: ${loaded.certsDir}`);
    });
}
