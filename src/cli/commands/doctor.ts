// `herald doctor`: checks configuration, certificates, listening ports and DNS, and prints the
// fix for each problem. Exit code 1 when something fails (warnings alone exit 0).
import type { Command } from 'commander';
import { runDoctor } from '../../admin/doctor.js';
import { builtinModules } from '../../modules/index.js';
import { CliError } from '../cli-error.js';
import { loadCliConfig, type GlobalOptions } from '../context.js';
import { formatStep } from './s2s.js';

export function registerDoctorCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('doctor')
    .description('check configuration, certificates, ports and DNS records, with the fix for each problem')
    .option('--federation <domain>', 'also connect to this remote domain as a federation peer would (e.g. jabber.org)')
    .action(async (options: { federation?: string }) => {
      const config = loadCliConfig(globals());
      const steps = await runDoctor({
        config,
        moduleNames: builtinModules.map((m) => m.name),
        onStep: (step) => console.log(formatStep(step)),
        ...(options.federation === undefined ? {} : { federationTarget: options.federation }),
      });
      const failed = steps.filter((s) => s.status === 'fail').length;
      const warned = steps.filter((s) => s.status === 'warn').length;
      if (failed > 0) throw new CliError(`doctor: ${failed} problem${failed === 1 ? '' : 's'} to fix${warned > 0 ? `, ${warned} warning${warned === 1 ? '' : 's'}` : ''}`);
      console.log(`result: OK${warned > 0 ? ` (${warned} warning${warned === 1 ? '' : 's'})` : ''}`);
    });
}
