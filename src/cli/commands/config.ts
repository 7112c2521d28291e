// `herald config check`: loads the configuration the server would use and runs the same checks
// `herald start` runs before it opens a socket, reporting every problem, not just the first.
import type { Command } from 'commander';
import { preflight } from '../../admin/preflight.js';
import { builtinModules } from '../../modules/index.js';
import { CliError } from '../cli-error.js';
import { loadCliConfig, type GlobalOptions } from '../context.js';

export function registerConfigCommands(program: Command, globals: () => GlobalOptions): void {
  const config = program.command('config').description('inspect the configuration');
  config
    .command('check')
    .description('validate the configuration as `herald start` would, and list every problem')
    .action(() => {
      const loaded = loadCliConfig(globals());
      const problems = preflight(loaded, builtinModules.map((m) => m.name));
      const errors = problems.filter((p) => p.severity === 'error');
      for (const p of problems) console.log(`${p.severity === 'error' ? 'error' : 'warning'}: ${p.message}`);
      if (errors.length > 0) throw new CliError(`${errors.length} error${errors.length === 1 ? '' : 's'} in ${loaded.sourceFile ?? 'the built-in defaults'}; herald start would refuse this configuration`);
      const { c2s, c2sDirectTls, s2s, s2sTls, http, https } = loaded.listeners;
      const warned = problems.length > 0 ? ` (${problems.length} warning${problems.length === 1 ? '' : 's'})` : '';
      console.log(`OK${warned} ${loaded.sourceFile ?? '(built-in defaults)'}`);
      console.log(`domains: ${loaded.domains.map((d) => d.name).join(', ')}`);
      console.log(`c2s: ${c2s.enabled ? `${c2s.host}:${c2s.port}` : 'off'}; direct TLS: ${c2sDirectTls.enabled ? `${c2sDirectTls.host}:${c2sDirectTls.port}` : 'off'}`);
      console.log(`s2s (federation): ${s2s.enabled ? `${s2s.host}:${s2s.port}; direct TLS: ${s2sTls.enabled ? `${s2sTls.host}:${s2sTls.port}` : 'off'}` : 'off'}`);
      console.log(`https: ${https.enabled ? `${https.host}:${https.port}` : 'off'}; plain http: ${http.enabled ? `${http.host}:${http.port}` : 'off'}`);
      console.log(`data: ${loaded.storage.dataDir}; certificates: ${loaded.certsDir}`);
    });
}
