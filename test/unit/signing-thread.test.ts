import { randomBytes, verify } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { publicKeyObject, Signer } from '../../server/crypto/signing.js';
import type { SigningThread } from '../../server/crypto/signing-thread.js';

const signer = new Signer(randomBytes(32));
const publicKey = publicKeyObject(signer.publicKey);
const threads: SigningThread[] = [];
const errors: string[] = [];

function start(): SigningThread {
  const t = signer.offThread((m) => errors.push(m));
  threads.push(t);
  return t;
}

afterEach(async () => {
  await Promise.all(threads.splice(0).map((t) => t.close()));
  errors.length = 0;
});

/** Signs every body in one turn; resolves with the signatures once the turn's callbacks ran. */
function signTurn(t: SigningThread, bodies: Buffer[]): Promise<{ sigs: string[]; beforeNextTurn: boolean }> {
  return new Promise((resolve) => {
    const sigs: string[] = new Array<string>(bodies.length);
    let count = 0;
    let nextTurn = false;
    setImmediate(() => { nextTurn = true; });
    bodies.forEach((b, i) => t.sign(b, (sig) => {
      sigs[i] = sig;
      if (++count === bodies.length) resolve({ sigs, beforeNextTurn: !nextTurn });
    }));
  });
}

const bodiesOf = (n: number, size = (i: number) => 50 + (i % 300)) =>
  Array.from({ length: n }, (_, i) => Buffer.from(`{"i":${i},"pad":"${'x'.repeat(size(i))}"}`));

function expectValid(bodies: Buffer[], sigs: string[]): void {
  expect(sigs).toHaveLength(bodies.length);
  bodies.forEach((b, i) => {
    expect(sigs[i], `signature ${i}`).toBe(signer.sign(b)); // Ed25519 is deterministic
    expect(verify(null, b, publicKey, Buffer.from(sigs[i]!, 'base64'))).toBe(true);
  });
}

/** The private helper, for the tests that make it fail. */
const helperOf = (t: SigningThread) =>
  (t as unknown as { helper: { worker: import('node:worker_threads').Worker; control: Int32Array } | null }).helper;

describe('SigningThread', () => {
  it('signs every answer of a turn, in that turn, as the event loop would', async () => {
    const t = start();
    for (const n of [1, 2, 37, 500]) {
      const bodies = bodiesOf(n);
      const { sigs, beforeNextTurn } = await signTurn(t, bodies);
      expectValid(bodies, sigs);
      expect(beforeNextTurn).toBe(true);
    }
    expect(errors).toEqual([]);
  });

  it('has the thread make signatures of a busy turn', async () => {
    const t = start();
    // Whether the thread gets the CPU during one turn is up to the OS: allow it up to 50 turns.
    for (let turn = 0; turn < 50 && t.signedByThread === 0; turn++) {
      const bodies = bodiesOf(300);
      expectValid(bodies, (await signTurn(t, bodies)).sigs);
      await new Promise((r) => setTimeout(r, 5)); // the thread may still be starting
    }
    expect(t.signedByThread).toBeGreaterThan(0);
  });

  it('signs a turn larger than its shared memory (items and bytes) on the event loop', async () => {
    const t = start();
    const many = bodiesOf(1500, () => 10);
    expectValid(many, (await signTurn(t, many)).sigs);
    const big = bodiesOf(5, () => 400_000); // 2 MB in one turn: more than the 1 MiB of body space
    expectValid(big, (await signTurn(t, big)).sigs);
    // And the thread goes on after the overflow.
    const after = bodiesOf(40);
    expectValid(after, (await signTurn(t, after)).sigs);
  });

  it('goes on signing on the event loop when the thread dies', async () => {
    const t = start();
    const worker = helperOf(t)!.worker;
    const exited = new Promise((r) => worker.once('exit', r));
    await worker.terminate();
    await exited;
    expect(errors.join()).toMatch(/response-signing thread exited.*event loop from now on/);
    expect(helperOf(t)).toBeNull();
    const bodies = bodiesOf(30);
    expectValid(bodies, (await signTurn(t, bodies)).sigs);
  });

  it('signs an item itself and replaces the thread when the thread stalls on it', async () => {
    const t = start();
    const h = helperOf(t)!;
    // Silence the thread (its exit no longer reports) and play a thread that claims an item and hangs.
    h.worker.removeAllListeners('exit');
    await h.worker.terminate();
    const body = Buffer.from('{"stalled":true}');
    const result = new Promise<string>((resolve) => t.sign(body, resolve));
    expect(Atomics.compareExchange(h.control, 1, 0, 1)).toBe(0); // claim item 0, as the thread would
    const started = performance.now();
    expect(await result).toBe(signer.sign(body));
    expect(performance.now() - started).toBeGreaterThanOrEqual(90); // it waited STALL_MS for the thread
    expect(errors.join()).toMatch(/stalled .*starting a new one/);
    const fresh = helperOf(t);
    expect(fresh).not.toBeNull();
    expect(fresh).not.toBe(h);
    // The new thread signs with the same key: keep signing until it has made some signatures.
    for (let turn = 0; turn < 50 && t.signedByThread === 0; turn++) {
      const bodies = bodiesOf(300);
      expectValid(bodies, (await signTurn(t, bodies)).sigs);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(t.signedByThread).toBeGreaterThan(0);
  });

  it('sends the other answers of a turn when one answer\'s callback throws, and reports it', async () => {
    const t = start();
    const bodies = bodiesOf(10);
    const sigs = await new Promise<string[]>((resolve) => {
      const got: string[] = [];
      bodies.forEach((b, i) => t.sign(b, (sig) => {
        if (i === 3) throw new Error('socket gone');
        got[i] = sig;
        if (Object.keys(got).length === bodies.length - 1) resolve(got);
      }));
    });
    bodies.forEach((b, i) => { if (i !== 3) expect(sigs[i]).toBe(signer.sign(b)); });
    expect(errors.join()).toMatch(/sending a signed answer failed: socket gone/);
  });

  it('signs presigned answers once, and sends them when their sign comes later in the turn', async () => {
    const t = start();
    const published = () => (t as unknown as { next: number }).next;
    const bodies = bodiesOf(40);
    const orphan = Buffer.from('{"orphan":"its commit failed"}');
    const before = published();
    // As a group commit does: answers presigned inside the transaction (one whose commit then
    // fails is never sent), sent by the callers that the commit resumes, in later microtasks.
    const result = await new Promise<{ sigs: string[]; beforeNextTurn: boolean }>((resolve) => {
      setImmediate(() => {
        let nextTurn = false;
        setImmediate(() => { nextTurn = true; });
        for (const b of bodies.slice(0, 30)) t.presign(b);
        t.presign(orphan);
        t.presign(bodies[0]!); // a second presign of one buffer publishes nothing more
        const sigs: string[] = new Array<string>(bodies.length);
        let count = 0;
        bodies.forEach((b, i) => void Promise.resolve().then(() => t.sign(b, (sig) => {
          sigs[i] = sig;
          if (++count === bodies.length) resolve({ sigs, beforeNextTurn: !nextTurn });
        })));
      });
    });
    expectValid(bodies, result.sigs);
    expect(result.beforeNextTurn).toBe(true);
    // 30 presigned + the orphan + the 10 signed without a presign: nothing was published twice.
    expect((published() - before) | 0).toBe(41);
    // The orphan was dropped with its batch: signing it later publishes and signs it afresh.
    const { sigs } = await signTurn(t, [orphan]);
    expectValid([orphan], sigs);
    expect(errors).toEqual([]);
  });

  it('signs presigned answers on the event loop once the thread is gone', async () => {
    const t = start();
    const body = Buffer.from('{"late":true}');
    await t.close();
    t.presign(body); // no thread: nothing to start
    let sig = '';
    t.sign(body, (s) => { sig = s; });
    expect(sig).toBe(signer.sign(body));
  });

  it('signs what is pending on close, and on the event loop after it', async () => {
    const t = start();
    const bodies = bodiesOf(20);
    const sigs: string[] = [];
    bodies.forEach((b) => t.sign(b, (s) => sigs.push(s)));
    await t.close();
    expectValid(bodies, sigs);
    const after = Buffer.from('{"after":"close"}');
    let sig = '';
    t.sign(after, (s) => { sig = s; });
    expect(sig).toBe(signer.sign(after)); // synchronously: no thread any more
  });
});
