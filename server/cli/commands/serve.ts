import { configHelp, loadConfig } from '../../config.ts';
import type { Command } from '../command.ts';

const configTable = configHelp.map(([name, meaning]) => `  ${name.padEnd(20)} ${meaning}`).join('\n');

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Start the HTTP server (migrates the database first).',
  usage: 'serve',
  help: `Configuration comes from the environment:\n${configTable}`,
  options: { help: { type: 'boolean', short: 'h' } },
  async run() {
    // Loaded here, not at the top, so `trueup --help` and config errors answer at once.
    const [{ listen }, { createLogger }, { createServices }, { seedDemoWorkspace }, { recordLocalServer }] =
      await Promise.all([
        import('../../http/listen.ts'),
        import('../../log.ts'),
        import('../../main.ts'),
        import('../../demo/seed.ts'),
        import('../local-server.ts'),
      ]);
    const config = loadConfig();
    const log = createLogger(config.logLevel, 1, config.logFormat);
    const services = await createServices(config, log);
    const wantsDemo =
      config.demoWorkspace === 'on' || (config.demoWorkspace === 'auto' && services.db.kind === 'pglite');
    if (wantsDemo && (await seedDemoWorkspace(services.db, config.dataDir))) {
      log.info(
        'loaded the demo workspace: run `npx trueup run demo-hr-users`, then `npx trueup run demo-app-accounts`',
      );
    }
    services.startJobs();
    const server = await listen(services);
    await services.scheduler.start();
    services.mail.start();
    // CLI commands on this DATA_DIR go through this server while it holds the embedded database.
    const reachableHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    const forgetServer =
      services.db.kind === 'pglite'
        ? recordLocalServer(config.dataDir, `http://${reachableHost}:${server.port}`)
        : () => {};
    const stopped = new Promise<number>((resolve) => {
      let stopping = false;
      const shutdown = async (signal: NodeJS.Signals) => {
        // A terminal's Ctrl-C or a service manager's cgroup kill reaches both the launcher and
        // this process, and the launcher passes it on: a second signal must not cut the shutdown short.
        if (stopping) return;
        stopping = true;
        log.info({ signal }, 'shutting down');
        // Graceful, but bounded: a run still going after SHUTDOWN_TIMEOUT_MS is left as it is and
        // resumed at the next start (or taken over by another server).
        setTimeout(() => {
          log.warn('shutdown took longer than SHUTDOWN_TIMEOUT_MS: exiting; unfinished runs resume later');
          process.exit(1);
        }, config.shutdownTimeoutMs).unref();
        forgetServer();
        await server.stop();
        await services.close();
        log.info('stopped');
        resolve(0);
      };
      // SIGHUP too: the launcher passes it on (a closed terminal), and unhandled it would end the
      // server at once, without the shutdown.
      for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, shutdown);
    });
    // Only now: whoever waits for this line may signal at once, and a signal that came before
    // the handlers would end the server without its shutdown (seen under load in CI).
    log.info(
      { port: server.port, database: services.db.kind },
      `trueup listening on http://${config.host}:${server.port}`,
    );
    return stopped;
  },
};
