// `herald start`: runs the server until SIGTERM/SIGINT (graceful stop); SIGHUP reloads certificates.
import type { Command } from 'commander';
import { startServer } from '../../server.js';
import { createLogger } from '../../util/logger.js';
import { LogRing, teeToRing } from '../../util/log-ring.js';
import { chooseLogFormat, textLogDestination, type LogFormat } from '../../util/log-format.js';
import { certificateProblems, preflight } from '../../admin/preflight.js';
import { builtinModules } from '../../modules/index.js';
import { CliError } from '../cli-error.js';
import { inspectCertificates } from '../../net/certificate-inspection.js';
import { cliInvocation, loadCliConfig, type GlobalOptions } from '../context.js';
import { describeStorage, storageOptions } from '../../storage/open-storage.js';

/** Time allowed beyond the shutdown grace for the rest of a stop (storage, modules). */
const STOP_BACKSTOP_SECONDS = 10;
const EXPIRY_CHECK_MS = 24 * 3600 * 1000;

export function registerStartCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('start')
    .description('start the server (logs on standard output: readable on a terminal, JSON lines otherwise)')
    .option('--log-format <format>', "'json' or 'text' (default: text on a terminal, json otherwise)")
    .action(async (options: { logFormat?: string }) => {
      let format: LogFormat;
      try {
        format = chooseLogFormat(options.logFormat, process.stdout.isTTY === true);
      } catch (error) {
        throw new CliError(`--log-format: ${(error as Error).message}`);
      }
      const config = loadCliConfig(globals());
      // The console's live log view reads the newest lines (JSON, before any text formatting).
      const logRing = new LogRing();
      const log = createLogger(config.logging.level, teeToRing(format === 'text' ? textLogDestination(process.stdout) : process.stdout, logRing));
      // The same checks as `herald config check`: every problem at once, before any socket opens.
      const problems = preflight(config, builtinModules.map((m) => m.name));
      const errors = problems.filter((p) => p.severity === 'error').map((p) => p.message);
      if (errors.length > 0) throw new CliError(errors.join('\nherald: '));
      for (const p of problems) log.warn(p.message);
      const server = await startServer({ config, log, logRing });

      // A human summary on standard error; standard output stays machine-readable.
      const lines = server.listeners.map((l) => `  ${l.name.padEnd(16)} ${l.host}:${l.port}`);
      const domain = config.domains[0]!.name;
      process.stderr.write(
        [
          `Herald is running for ${config.domains.map((d) => d.name).join(', ')}`,
          ...lines,
          ...inspectCertificates(config).map((c) => `Certificate ${c.domain}: SHA-256 ${c.info?.sha256 ?? '(unreadable)'}`),
          `Data: ${config.storage.dataDir}${config.cluster?.postgresUrl === undefined ? '' : `; storage: ${describeStorage(storageOptions(config))}`}`,
          `Add a user:  ${cliInvocation(config)} user add alice@${domain}`,
          '',
        ].join('\n'),
      );

      // A renewal is easy to miss: the expiry warning (from 14 days before) repeats daily, not only at start.
      setInterval(() => {
        for (const p of certificateProblems(config)) log.warn(p.message);
      }, EXPIRY_CHECK_MS).unref();

      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) {
          // A second signal means the admin will not wait: exit now.
          log.warn({ signal }, 'second signal while stopping; exiting at once');
          process.exit(1);
        }
        stopping = true;
        log.info({ signal, graceSeconds: config.limits.shutdownGraceSeconds }, 'stopping');
        // Streams are dropped after the grace; this only guards against a stop that hangs
        // anyway (e.g. storage), so a shutdown never waits without end.
        setTimeout(() => {
          log.error('stop did not finish in time; exiting');
          process.exit(1);
        }, (config.limits.shutdownGraceSeconds + STOP_BACKSTOP_SECONDS) * 1000).unref();
        server.stop().then(
          () => {
            log.info('stopped');
            process.exit(0);
          },
          (error: unknown) => {
            log.error({ err: error }, 'error while stopping');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGHUP', () => {
        try {
          server.reloadCertificates();
        } catch (error) {
          log.error({ err: (error as Error).message }, 'certificate reload failed; keeping the old ones');
        }
      });
      // Everything (listeners, admin socket, modules, signal handlers) is up: tools and tests
      // wait for this line, so a SIGTERM right after it is always handled gracefully.
      log.info({ listeners: server.listeners.map((l) => `${l.name}=${l.host}:${l.port}`) }, 'server ready');
    });
}
