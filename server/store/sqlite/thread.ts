import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The SQLite store's helper threads (checkpointer, request-log writer) share one life cycle:
 * started from CommonJS source with `workerData.driver` naming better-sqlite3, with a small heap, never keeping
 * the process alive, and stopped by the message `'stop'`, which each answers with
 * `{ stopped: true }` once it has finished its work and closed its connection.
 */
export function startSqliteThread(source: string, workerData: Record<string, unknown>): Worker {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  // A small young generation: by default V8 lets it grow to 48 MB a thread under a steady stream
  // of short-lived objects (the request-log writer's batches), which is most of the server's
  // RSS peaks; 2 MB costs these threads nothing measurable.
  const worker = new Worker(source, { eval: true, workerData: { ...workerData, driver }, resourceLimits: { maxYoungGenerationSizeMb: 2 } });
  worker.unref();
  return worker;
}

/** Asks the thread to finish and close; resolves once it has exited. */
export function stopSqliteThread(worker: Worker): Promise<void> {
  return new Promise<void>((resolve) => {
    worker.once('exit', () => resolve());
    worker.on('message', (m: { stopped?: boolean }) => {
      if (m.stopped) void worker.terminate();
    });
    worker.postMessage('stop');
  });
}
