import type { Worker } from 'node:worker_threads';
import { startSqliteThread, stopSqliteThread } from './thread.js';

// Runs in a worker thread with its own connection: copying WAL pages back into the database
// (and the fsync that follows) then never stalls the event loop that answers requests.
//
// A passive checkpoint copies the frames that were in the log when it began; under a steady
// stream of commits more arrive meanwhile, so it never catches up with the log's end, SQLite
// never restarts the log, and the WAL grows without bound (and every page lookup, which
// searches the WAL's index, slows down with it). So once the log is past `restartFrames`, this
// thread repeats passive passes while each one shrinks the backlog, then asks the serving
// connection (the only writer) to copy the last few frames itself, between two of its
// transactions: that checkpoint is complete, and the next write restarts the log.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const passive = () => db.pragma('wal_checkpoint(PASSIVE)')[0];
const checkpoint = () => {
  try {
    let r = passive();
    if (!r || r.busy !== 0 || r.log < workerData.restartFrames) return;
    for (let pass = 0; pass < 8; pass++) {
      const next = passive();
      const arrived = next.log - r.log;
      r = next;
      // A smaller log than before: the serving connection has restarted it already.
      if (arrived < 0) return;
      if (arrived <= workerData.handOverFrames) break;
    }
    parentPort.postMessage({ finish: true });
  } catch (err) { parentPort.postMessage({ error: String(err && err.message) }); }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { passive(); } catch {}
  db.close();
  parentPort.postMessage({ stopped: true });
});
`;

/**
 * Background WAL checkpoints for a long-running server. The serving connection turns SQLite's
 * automatic checkpoints off; this thread checkpoints passively every `intervalMs` and, once the
 * log is past `restartFrames` (64 MB of 2 KiB pages by default), calls `finish` (on the serving
 * thread) to complete a checkpoint whose remainder is at most about `handOverFrames`.
 */
export class Checkpointer {
  private readonly worker: Worker;
  private stopping: Promise<void> | null = null;

  constructor(
    file: string,
    onError: (message: string) => void,
    finish: () => void,
    options: { intervalMs?: number; restartFrames?: number; handOverFrames?: number } = {},
  ) {
    const { intervalMs = 1000, restartFrames = 32768, handOverFrames = 2048 } = options;
    this.worker = startSqliteThread(WORKER_SOURCE, { file, intervalMs, restartFrames, handOverFrames });
    this.worker.on('message', (m: { error?: string; finish?: boolean }) => {
      if (m.error) onError(m.error);
      if (m.finish && !this.stopping) {
        try {
          finish();
        } catch (err) {
          onError((err as Error).message);
        }
      }
    });
    this.worker.on('error', (err) => onError(err.message));
  }

  stop(): Promise<void> {
    this.stopping ??= stopSqliteThread(this.worker);
    return this.stopping;
  }
}
