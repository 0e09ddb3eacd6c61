import type { PrivacyConfig } from '../config.js';
import type { Core } from '../core.js';
import type { PurgeCounts, PurgeCutoffs } from '../store/privacy.js';
import { anonymiseIp } from './ip.js';

const DAY = 86_400_000;

/** The cut-off of each data class for its retention period; a period of 0 keeps the class. */
export function retentionCutoffs(retention: PrivacyConfig['retention'], now: number): PurgeCutoffs {
  const before = (days: number) => (days > 0 ? now - days * DAY : undefined);
  return {
    requestLogBefore: before(retention.requestLogDays),
    ipBefore: before(retention.ipDays),
    auditBefore: before(retention.auditDays),
    deactivatedBefore: before(retention.deactivatedActivationDays),
    expiredBefore: before(retention.expiredLicenseDays),
  };
}

const empty = (): PurgeCounts => ({ requests: 0, ipsAnonymised: 0, audit: 0, activations: 0, licenses: 0 });

/**
 * Applies every retention period, one small batch at a time, yielding to the event loop between
 * batches so that API requests are served while a large purge runs.
 */
export async function purgeExpiredData(core: Core, options: { batch?: number } = {}): Promise<PurgeCounts> {
  const batch = options.batch ?? 500;
  const cutoffs = retentionCutoffs(core.config.privacy.retention, core.now());
  const total = empty();
  // Buffered request-log entries are written first, so the purge sees them.
  await core.requestLog.flush();
  for (;;) {
    const counts = await core.store.purge(cutoffs, batch, anonymiseIp);
    let any = false;
    for (const k of Object.keys(total) as Array<keyof PurgeCounts>) {
      total[k] += counts[k];
      if (counts[k] > 0) any = true;
    }
    if (!any) break;
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (Object.values(total).some((n) => n > 0)) {
    await core.auditor.record({ accountId: null, actor: 'system', action: 'privacy.purge', detail: { ...total } });
  }
  return total;
}

/** Runs the purge on the configured schedule (and once soon after start); returns a stopper. */
export function schedulePurge(core: Core): () => Promise<void> {
  const minutes = core.config.privacy.purgeIntervalMinutes;
  if (minutes === 0) return async () => {};
  let running: Promise<unknown> = Promise.resolve();
  const run = () => {
    running = purgeExpiredData(core).catch((err: unknown) => core.logger.error({ err }, 'retention purge failed'));
  };
  const first = setTimeout(run, 10_000);
  const timer = setInterval(run, minutes * 60_000);
  first.unref();
  timer.unref();
  return async () => {
    clearTimeout(first);
    clearInterval(timer);
    await running;
  };
}
