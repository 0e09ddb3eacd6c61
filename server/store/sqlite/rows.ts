import type Database from 'better-sqlite3';
import type { AccountStatus, Activation, License, LicenseState } from '../../domain/types.js';
import type { Row } from '../sql/rows.js';
import { StoreConflict } from '../store.js';
import { activationIdentity } from './identity.js';
import { STATE_ROW, stateRowParams, stateRowSql, stateSlot, stateSlotSql } from './state-slot.js';

/**
 * SQLite's own row shapes; the mappers shared with PostgreSQL are in ../sql/rows.ts.
 *
 * Here a license is two rows (see migration 4): its state in `license_state`, at the slot its
 * key digest gives (see state-slot.ts), and the rest in `licenses`. LICENSE_COLUMNS over
 * LICENSE_FROM give the whole license in the shape of PostgreSQL's single row, so the shared
 * mappers read both. The join names both
 * keys, so that either table can lead: `licenses` by its id (the admin list in creation order),
 * `license_state` by its expiry index.
 */
export const LICENSE_COLUMNS = `l.id, l.account_id, l.product_id, l.policy_id, l.key_digest, l.key_encrypted, s.status,
  s.expires_at, l.duration_days, s.lock, s.max_activations, s.activation_count, s.tokens_remaining, s.tokens_total,
  l.email, l.name, l.metadata, l.created_at, s.updated_at, p.slug AS product_slug`;
export const LICENSE_FROM = `licenses l JOIN license_state s
  ON ${stateRowSql(stateSlotSql('l.key_digest'), 'l.key_digest', 's')} AND s.license_id = l.id
  JOIN products p ON p.id = l.product_id`;

/**
 * The license API's read: one descent of license_state, never key material or personal data.
 * Followed by a condition on the state row `s` (STATE_ROW('s')).
 */
export const STATE_SELECT = `SELECT s.license_id, s.account_id, s.product_id, p.slug, s.status, s.expires_at, s.lock,
  s.max_activations, s.activation_count, s.tokens_remaining, s.tokens_total, a.status
  FROM license_state s JOIN products p ON p.id = s.product_id JOIN accounts a ON a.id = s.account_id`;

/** A state row read in raw (positional) mode, in the column order of STATE_SELECT: the hot path. */
export function toStateRow(r: unknown[]): LicenseState {
  return {
    id: r[0] as string, accountId: r[1] as string, productId: r[2] as string, productSlug: r[3] as string,
    status: r[4] as License['status'], expiresAt: r[5] as number | null, lock: r[6] as License['lock'],
    maxActivations: r[7] as number | null, activationCount: r[8] as number, tokensRemaining: r[9] as number | null,
    tokensTotal: r[10] as number | null, accountStatus: r[11] as AccountStatus,
  };
}

/** Named parameters for the license statements of licenseWriter. */
export function licenseParams(l: License): Row {
  return {
    id: l.id, account_id: l.accountId, product_id: l.productId, policy_id: l.policyId, key_digest: l.keyDigest,
    key_encrypted: l.keyEncrypted, status: l.status, expires_at: l.expiresAt, duration_days: l.durationDays,
    lock: l.lock, max_activations: l.maxActivations, activation_count: l.activationCount,
    tokens_remaining: l.tokensRemaining, tokens_total: l.tokensTotal, email: l.email, name: l.name,
    metadata: JSON.stringify(l.metadata), created_at: l.createdAt, updated_at: l.updatedAt,
  };
}

/** Writes whole licenses, both rows of each; the caller holds the transaction. */
export interface LicenseWriter {
  insert(l: License): void;
  /** Writes what an admin can change (nothing when the license is not in that account). */
  update(l: License): void;
  /** Inserts many licenses (an import): see BulkLicenseWriter. */
  bulk(): BulkLicenseWriter;
}

/**
 * An import's writer. `add` writes a license's record at once and stages its state row;
 * `finish` writes the staged state rows in slot order. Licenses arrive in random slot order, and
 * inserted one by one at random places of license_state they took 23 of the 53 s of an import of
 * 1,000,000 keys; sorted, each lands next to the one before, and the import takes 38 s (the
 * table's pages come out full, too). `finish` gives the number (from 1, in the order added)
 * of the first license whose key exists already, in the store or added before it, or null;
 * the caller then rolls the transaction back.
 */
export interface BulkLicenseWriter {
  add(l: License): void;
  finish(): number | null;
}

/** Gives back a seat of the license whose digest is `...stateRowParams(digest)` (a deactivation, an erasure). */
export const FREE_SEAT = `UPDATE license_state SET activation_count = activation_count - 1 WHERE ${STATE_ROW()} AND activation_count > 0`;

/** license_state's columns, and the named parameters that licenseParams (with `slot`) gives them. */
const STATE_COLUMNS = `slot, key_digest, license_id, account_id, product_id, status, expires_at, lock, max_activations,
  activation_count, tokens_remaining, tokens_total, updated_at`;
const STATE_VALUES = STATE_COLUMNS.split(',').map((c) => (c.trim() === 'license_id' ? '@id' : `@${c.trim()}`)).join(', ');

export function licenseWriter(db: Database.Database): LicenseWriter {
  const slotsTaken = db.prepare(`SELECT slot, key_digest FROM license_state WHERE slot BETWEEN ? AND ?`).raw();
  const insertState = db.prepare(`INSERT INTO license_state (${STATE_COLUMNS}) VALUES (${STATE_VALUES})`);
  const insertRecord = db.prepare(`INSERT INTO licenses (id, account_id, product_id, policy_id, key_digest, key_encrypted,
    duration_days, email, name, metadata, created_at) VALUES (@id, @account_id, @product_id, @policy_id, @key_digest,
    @key_encrypted, @duration_days, @email, @name, @metadata, @created_at)`);
  const updateRecord = db.prepare(`UPDATE licenses SET policy_id = @policy_id, duration_days = @duration_days,
    email = @email, name = @name, metadata = @metadata WHERE id = @id AND account_id = @account_id`);
  const updateState = db.prepare(`UPDATE license_state SET status = @status, expires_at = @expires_at, lock = @lock,
    max_activations = @max_activations, tokens_remaining = @tokens_remaining, tokens_total = @tokens_total,
    updated_at = @updated_at WHERE ${stateRowSql('@slot', '@key_digest')} AND license_id = @id`);
  /**
   * The first free slot of a digest's range, or null when the digest is there already: the range
   * is read first, as license_state has no index on the digest to refuse a second license with
   * the same key (see state-slot.ts).
   */
  const freeSlot = (digest: string): number | null => {
    const [low, high] = stateRowParams(digest);
    const taken = slotsTaken.all(low, high) as Array<[number, string]>;
    if (taken.some(([, d]) => d === digest)) return null;
    let slot = low;
    while (taken.some(([s]) => s === slot)) slot++;
    if (slot > high) throw new Error(`license_state has no free slot left in ${low}..${high} for a new key digest`);
    return slot;
  };
  return {
    insert(l) {
      const slot = freeSlot(l.keyDigest);
      if (slot === null) throw new StoreConflict('key');
      const p = licenseParams(l);
      insertRecord.run(p);
      insertState.run({ ...p, slot });
    },
    bulk() {
      // A temporary table of the transaction's connection, gone with it whatever happens, with
      // license_state's columns (no constraints: license_state checks the rows it takes). Its
      // rowid numbers the rows from 1 in the order added.
      db.exec(`DROP TABLE IF EXISTS temp.import_state;
        CREATE TEMP TABLE import_state AS SELECT ${STATE_COLUMNS} FROM license_state WHERE 0`);
      const stage = db.prepare(`INSERT INTO temp.import_state (${STATE_COLUMNS}) VALUES (${STATE_VALUES})`);
      let n = 0;
      return {
        add(l) {
          const p = licenseParams(l);
          insertRecord.run(p);
          stage.run({ ...p, slot: stateSlot(l.keyDigest) });
          n++;
        },
        finish() {
          // Stored keys are looked for by their range before anything is placed: a second copy
          // could take a free slot before the stored one. Keys given twice are found below.
          const stored = db.prepare(`SELECT min(i.rowid) FROM temp.import_state i
            JOIN license_state s ON ${stateRowSql('i.slot', 'i.key_digest', 's')}`).pluck().get() as number | null;

          // In slot order the rows reach license_state's other indexes in random order: when the
          // import brings more licenses than the store holds, they are dropped and built again
          // after (one sort), from the definitions the schema holds.
          const existing = db.prepare(`SELECT count(*) FROM license_state`).pluck().get() as number;
          const rebuilt = n > existing
            ? db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'license_state'
              AND sql IS NOT NULL`).all() as Array<{ name: string; sql: string }>
            : [];
          for (const i of rebuilt) db.exec(`DROP INDEX "${i.name}"`);

          // Each row at its own slot, in slot order (SQLite's sorter), unless that slot is taken.
          const placed = db.prepare(`INSERT OR IGNORE INTO license_state (${STATE_COLUMNS})
            SELECT ${STATE_COLUMNS} FROM temp.import_state ORDER BY slot, rowid`).run().changes;
          let first = stored;
          if (placed < n) {
            // The rows left out (about 1 in 10,000 for 1M keys, or a key given twice) take the
            // first free slot of their range one by one, as insert does; a row that breaks another
            // constraint raises it here.
            const rest = db.prepare(`SELECT i.rowid AS n, i.* FROM temp.import_state i WHERE NOT EXISTS
              (SELECT 1 FROM license_state s WHERE s.slot = i.slot AND s.license_id = i.license_id) ORDER BY slot, n`).all() as Row[];
            for (const r of rest) {
              const slot = freeSlot(String(r.key_digest));
              if (slot === null) first = Math.min(first ?? Infinity, Number(r.n));
              else insertState.run({ ...r, id: r.license_id, slot });
            }
          }
          for (const i of rebuilt) db.exec(i.sql);
          db.exec(`DROP TABLE temp.import_state`);
          return first;
        },
      };
    },
    update(l) {
      const p = licenseParams(l);
      if (updateRecord.run(p).changes > 0) updateState.run({ ...p, slot: stateSlot(l.keyDigest) });
    },
  };
}

/** Inserts an activation, with its identity (see identity.ts); takes `activationValues`. */
export const INSERT_ACTIVATION = `INSERT INTO activations (id, license_id, domain, device, label, development, created_at,
  last_seen_at, deactivated_at, identity) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export const activationValues = (a: Activation, identity = activationIdentity(a.licenseId, a.domain, a.device)): unknown[] => [
  a.id, a.licenseId, a.domain, a.device, a.label, a.development ? 1 : 0, a.createdAt, a.lastSeenAt, a.deactivatedAt, identity,
];
