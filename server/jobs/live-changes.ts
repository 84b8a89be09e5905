import type { LiveChangeService } from '../services/live-changes.ts';

/**
 * Every `intervalMs`, drains each config with changes waiting and no run going: after a restart
 * or a kill -9 (the changes are in the database), and for changes another server stored. And
 * polls each system with `liveChanges.pollSeconds` when its period has passed.
 */
export function startLiveChangeSweep(
  live: LiveChangeService,
  log: { warn(obj: object, msg: string): void },
  intervalMs = 1000,
): { stop(): Promise<void> } {
  let busy: Promise<void> | null = null;
  const polledAt = new Map<string, number>();
  const sweep = async () => {
    for (const system of await live.polledSystems()) {
      if (Date.now() - (polledAt.get(system.id) ?? 0) < system.pollSeconds * 1000) continue;
      polledAt.set(system.id, Date.now());
      await live
        .poll(system.id)
        .catch((error) => log.warn({ systemId: system.id, error: String(error) }, 'polling a system failed'));
    }
    for (const configId of await live.pendingConfigIds()) await live.drain(configId);
  };
  const timer = setInterval(() => {
    if (busy) return;
    busy = sweep()
      .catch((error) => log.warn({ error: String(error) }, 'live-change sweep failed'))
      .finally(() => {
        busy = null;
      });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await busy;
    },
  };
}
