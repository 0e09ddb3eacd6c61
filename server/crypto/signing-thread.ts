import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Signer } from './signing.js';

/** Items one batch can hold in shared memory (a power of two); more are signed on the event loop. */
const SLOTS = 1024;
/** Body bytes one batch can hold in shared memory. */
const BODY_BYTES = 1 << 20;
/** How long the event loop waits for a signature the thread has started before it makes its own. */
const STALL_MS = 100;

// Shared memory: control words, then per slot (start, length, signed mark), the signatures, the bodies.
const PRODUCED = 0; // items published, ever (wraps; compared by difference)
const CLAIMED = 1; // items claimed by either thread, ever
const STOP = 2;
const THREAD_SIGNED = 3; // signatures the thread has made, ever (wraps)
const SLEEPING = 4; // 1 while the thread sleeps (or is about to) on PRODUCED
const CONTROL_BYTES = 32;
const META_BYTES = SLOTS * 12;
const SIGS_AT = CONTROL_BYTES + META_BYTES;
const BODIES_AT = SIGS_AT + SLOTS * 64;

// The helper thread: claims published items one by one (compare-and-swap on CLAIMED), signs each
// with libsodium and marks its slot signed; sleeps on PRODUCED when there is nothing to claim.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const sodium = require(workerData.sodium);
const { sab, slots, sigsAt, bodiesAt, bodyBytes } = workerData;
const secretKey = sodium.sodium_malloc(sodium.crypto_sign_SECRETKEYBYTES);
secretKey.set(workerData.secretKey);
workerData.secretKey.fill(0);
const control = new Int32Array(sab, 0, ${CONTROL_BYTES / 4});
const meta = new Int32Array(sab, ${CONTROL_BYTES}, slots * 3);
const sigs = Buffer.from(sab, sigsAt, slots * 64);
const bodies = Buffer.from(sab, bodiesAt, bodyBytes);
for (;;) {
  if (Atomics.load(control, ${STOP}) !== 0) break;
  const claimed = Atomics.load(control, ${CLAIMED});
  const produced = Atomics.load(control, ${PRODUCED});
  if (((produced - claimed) | 0) <= 0) {
    // Say so before sleeping, then look once more: the event loop wakes a sleeper only.
    // (Spinning a while before sleeping was measured: no gain, and CPU taken from the others.)
    Atomics.store(control, ${SLEEPING}, 1);
    if (Atomics.load(control, ${PRODUCED}) === produced) Atomics.wait(control, ${PRODUCED}, produced, 1000);
    Atomics.store(control, ${SLEEPING}, 0);
    continue;
  }
  if (Atomics.compareExchange(control, ${CLAIMED}, claimed, (claimed + 1) | 0) !== claimed) continue;
  const slot = claimed & (slots - 1);
  const start = meta[slot * 3];
  sodium.crypto_sign_detached(sigs.subarray(slot * 64, slot * 64 + 64), bodies.subarray(start, start + meta[slot * 3 + 1]), secretKey);
  Atomics.store(meta, slot * 3 + 2, 1);
  Atomics.notify(meta, slot * 3 + 2);
  Atomics.add(control, ${THREAD_SIGNED}, 1);
}
`;

type Done = (signature: string) => void;

/** One helper thread and the shared memory it signs from. */
class Helper {
  readonly sab = new SharedArrayBuffer(BODIES_AT + BODY_BYTES);
  readonly control = new Int32Array(this.sab, 0, CONTROL_BYTES / 4);
  readonly meta = new Int32Array(this.sab, CONTROL_BYTES, SLOTS * 3);
  readonly sigs = Buffer.from(this.sab, SIGS_AT, SLOTS * 64);
  readonly bodies = Buffer.from(this.sab, BODIES_AT, BODY_BYTES);
  readonly worker: Worker;

  /** `secretKey` is a copy, cloned into the thread and then zeroed here. */
  constructor(secretKey: Uint8Array, onExit: (message: string) => void) {
    const sodium = createRequire(import.meta.url).resolve('sodium-native');
    try {
      this.worker = this.start(sodium, secretKey);
    } finally {
      secretKey.fill(0);
    }
    this.worker.unref();
    this.worker.on('error', (err) => onExit(`response-signing thread failed: ${err.message}`));
    this.worker.on('exit', (code) => onExit(`response-signing thread exited with code ${code}`));
  }

  private start(sodium: string, secretKey: Uint8Array): Worker {
    return new Worker(WORKER_SOURCE, {
      eval: true,
      // The thread's garbage is a few small objects a signature: a small heap is plenty.
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 },
      workerData: { sodium, secretKey, sab: this.sab, slots: SLOTS, sigsAt: SIGS_AT, bodiesAt: BODIES_AT, bodyBytes: BODY_BYTES },
    });
  }

  /** Asks the thread to finish; it may be in the middle of a signature, which it completes. */
  retire(): Promise<number> {
    this.worker.removeAllListeners('exit');
    this.worker.removeAllListeners('error');
    this.worker.on('error', () => {});
    Atomics.store(this.control, STOP, 1);
    Atomics.notify(this.control, PRODUCED);
    return this.worker.terminate();
  }
}

/**
 * Response signatures shared with a helper thread. Signing (about 11 µs a body) is the largest
 * single cost of a license answer, and the event loop is what limits the license API; the
 * machine's other core is not.
 *
 * The answers of one event-loop turn are published to shared memory as they are made, and the
 * helper thread starts signing them at once. When the turn's work is done (a `nextTick` after
 * its last answer), the event loop signs whatever the thread has not claimed yet, waits for the
 * one signature the thread may be making (a few µs), and sends every answer of the turn. So no
 * answer waits for a later turn, a lightly loaded server signs on the event loop as before, and
 * under load the thread takes a large share of the signatures.
 *
 * A write can publish its answer earlier, with `presign`, while the change is still inside its
 * transaction: the thread then signs during the rest of the group commit, and `sign` on the very
 * same buffer after the commit only attaches its callback. An answer presigned and never sent (its
 * commit failed) is signed for nothing and dropped when the batch ends.
 *
 * Ed25519 signatures are deterministic: either thread makes the same bytes for a body. If the
 * thread stalls on a signature (STALL_MS), the event loop signs it itself and replaces the
 * thread; if the thread dies, every later signature is made on the event loop.
 */
export class SigningThread {
  private helper: Helper | null;
  /** Sequence number of the next item to publish (mirrors PRODUCED). */
  private next = 0;
  private batchStart = 0;
  private cursor = 0;
  /** One entry per published item of the batch; null until `sign` claims a presigned one. */
  private done: Array<Done | null> = [];
  /** Presigned bodies of the batch, by identity, and their place in `done`. */
  private readonly presigned = new Map<Buffer, number>();
  private finishQueued = false;
  private readonly flush = () => this.finishBatch();

  /** Use `Signer.offThread`; `secretKey` gives a fresh copy of the key for each thread started. */
  constructor(
    private readonly signer: Signer,
    private readonly secretKey: () => Uint8Array,
    private readonly onError: (message: string) => void,
  ) {
    this.helper = this.startHelper();
  }

  /** Calls `done` with the base64 signature of `body` before this turn of the event loop ends. */
  sign(body: Buffer, done: Done): void {
    const early = this.presigned.get(body);
    if (early !== undefined) {
      this.presigned.delete(body);
      this.done[early] = done;
      this.queueFinish();
      return;
    }
    if (!this.publish(body, done)) done(this.signer.sign(body));
    else this.queueFinish();
  }

  /**
   * Starts signing `body` now, for a `sign(body, ...)` with this same buffer later in this turn
   * (see the class comment). Does not end the batch: only a `sign` does, once its turn's work is
   * done, so a body presigned inside a group commit waits for the callers the commit resumes.
   */
  presign(body: Buffer): void {
    if (this.presigned.has(body) || !this.publish(body, null)) return;
    this.presigned.set(body, this.done.length - 1);
  }

  private queueFinish(): void {
    if (this.finishQueued) return;
    this.finishQueued = true;
    process.nextTick(this.flush);
  }

  /** Puts `body` in the next slot for the thread; false when there is no thread or no room. */
  private publish(body: Buffer, done: Done | null): boolean {
    const h = this.helper;
    if (!h || this.done.length === SLOTS || this.cursor + body.length > BODY_BYTES) return false;
    if (this.done.length === 0) this.batchStart = this.next;
    const slot = (this.next & (SLOTS - 1)) * 3;
    body.copy(h.bodies, this.cursor);
    h.meta[slot] = this.cursor;
    h.meta[slot + 1] = body.length;
    Atomics.store(h.meta, slot + 2, 0);
    this.cursor += body.length;
    this.done.push(done);
    this.next = (this.next + 1) | 0;
    Atomics.store(h.control, PRODUCED, this.next);
    // A lone answer is not worth a wake-up (2-3 µs of the event loop, measured under load, and a
    // context switch for the thread): the event loop would only wait for the thread's signature.
    if (this.done.length > 1 && Atomics.load(h.control, SLEEPING) === 1) Atomics.notify(h.control, PRODUCED, 1);
    return true;
  }

  /** How many signatures the current thread has made (for tests and diagnostics). */
  get signedByThread(): number {
    return this.helper ? Atomics.load(this.helper.control, THREAD_SIGNED) >>> 0 : 0;
  }

  /** Stops the thread; later signatures are made on the event loop. */
  async close(): Promise<void> {
    const h = this.helper;
    if (!h) return;
    this.finishBatch();
    this.helper = null;
    await h.retire();
  }

  private startHelper(): Helper {
    const helper = new Helper(this.secretKey(), (message) => {
      if (this.helper !== helper) return;
      this.helper = null;
      this.onError(`${message}; responses are signed on the event loop from now on`);
      this.finishBatch(helper);
    });
    return helper;
  }

  private finishBatch(h = this.helper): void {
    this.finishQueued = false;
    const done = this.done;
    if (!h || done.length === 0) return;
    this.done = [];
    this.presigned.clear();
    const { meta, sigs } = h;
    let stalled = false;
    // In order: send each answer once signed. While the next one is still being signed by the
    // thread, sign an unclaimed one here; with none left, wait for the thread. Sending answers
    // between signatures gives the thread time to sign more of them.
    for (let i = 0; i < done.length; i++) {
      const slot = (this.batchStart + i) & (SLOTS - 1);
      while (Atomics.load(meta, slot * 3 + 2) !== 1) {
        if (this.claimAndSign(h)) continue;
        if (Atomics.wait(meta, slot * 3 + 2, 0, STALL_MS) === 'timed-out') {
          // The thread holds this item and has not finished it: sign it here (same bytes).
          this.signSlot(h, slot);
          stalled = true;
        }
      }
      const deliver = done[i];
      if (deliver) this.deliver(deliver, sigs.toString('base64', slot * 64, slot * 64 + 64));
    }
    this.cursor = 0;
    if (stalled && this.helper === h) {
      // The stalled thread may still write into its slots later: give it no more work.
      this.onError(`the response-signing thread stalled for over ${STALL_MS} ms; starting a new one`);
      void h.retire();
      this.helper = this.startHelper();
    }
  }

  /**
   * Hands a signature to its answer. This runs after the turn's requests returned, so a throw
   * here would reach no request's error handling: it is reported, and the other answers of the
   * batch are still sent.
   */
  private deliver(done: Done, signature: string): void {
    try {
      done(signature);
    } catch (err) {
      this.onError(`sending a signed answer failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Claims the first unclaimed item of the batch, if any, and signs it on the event loop. */
  private claimAndSign(h: Helper): boolean {
    const claimed = Atomics.load(h.control, CLAIMED);
    if (((this.next - claimed) | 0) <= 0) return false;
    if (Atomics.compareExchange(h.control, CLAIMED, claimed, (claimed + 1) | 0) === claimed) {
      this.signSlot(h, claimed & (SLOTS - 1));
    }
    return true;
  }

  private signSlot(h: Helper, slot: number): void {
    const start = h.meta[slot * 3]!;
    this.signer.signInto(h.sigs.subarray(slot * 64, slot * 64 + 64), h.bodies.subarray(start, start + h.meta[slot * 3 + 1]!));
    Atomics.store(h.meta, slot * 3 + 2, 1);
  }
}
