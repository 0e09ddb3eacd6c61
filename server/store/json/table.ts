/**
 * An in-memory table: rows by primary key, unique indexes and grouping indexes kept in step,
 * and an undo log so that a change that throws can be taken back.
 *
 * Rows are never mutated in place: an update stores a new object. That keeps undo a matter of
 * putting the old object back, and lets the file writer cache each row's JSON by identity.
 */

/** The inverse operations of one change, run in reverse order to roll it back. */
export type UndoLog = Array<() => void>;

export interface UniqueIndex<T> {
  /** null: the row is not in this index (e.g. an inactive activation). */
  key(row: T): string | null;
  conflict(): Error;
}

export class Table<T extends object, U extends string = never, G extends string = never> {
  private readonly rows = new Map<string, T>();
  private readonly unique = new Map<U, Map<string, string>>();
  private readonly groups = new Map<G, Map<string, Set<string>>>();
  // The same indexes as lists, for the hot path (no Object.entries per row change).
  private readonly uniqueList: Array<UniqueIndex<T> & { map: Map<string, string> }> = [];
  private readonly groupList: Array<{ key: (row: T) => string | null; map: Map<string, Set<string>> }> = [];
  /** Primary keys in ascending order, rebuilt lazily (only kept for `ordered` tables). */
  private sorted: string[] | null = [];

  constructor(
    readonly name: string,
    private readonly pk: (row: T) => string,
    private readonly uniques: Record<U, UniqueIndex<T>>,
    /** Non-unique indexes; a null key leaves the row out. */
    private readonly groupings: Record<G, (row: T) => string | null>,
    private readonly ordered = false,
  ) {
    for (const [n, index] of Object.entries(uniques) as Array<[U, UniqueIndex<T>]>) {
      const map = new Map<string, string>();
      this.unique.set(n, map);
      this.uniqueList.push({ key: index.key, conflict: index.conflict, map });
    }
    for (const [n, key] of Object.entries(groupings) as Array<[G, (row: T) => string | null]>) {
      const map = new Map<string, Set<string>>();
      this.groups.set(n, map);
      this.groupList.push({ key, map });
    }
  }

  get size(): number { return this.rows.size; }
  get(id: string): T | undefined { return this.rows.get(id); }
  values(): IterableIterator<T> { return this.rows.values(); }

  find(index: U, key: string): T | undefined {
    const id = this.unique.get(index)!.get(key);
    return id === undefined ? undefined : this.rows.get(id);
  }

  group(index: G, key: string): T[] {
    const ids = this.groups.get(index)!.get(key);
    return ids ? [...ids].map((id) => this.rows.get(id)!) : [];
  }

  /** Primary keys in ascending order (ordered tables only). */
  ids(): readonly string[] {
    if (!this.ordered) throw new Error(`${this.name} is not ordered`);
    this.sorted ??= [...this.rows.keys()].sort();
    return this.sorted;
  }

  insert(row: T, log: UndoLog): void {
    const id = this.pk(row);
    if (this.rows.has(id)) throw new Error(`${this.name}: duplicate id ${id}`);
    this.checkUnique(row, id);
    this.attach(row);
    log.push(() => this.detach(row));
  }

  /** Replaces the row with the same primary key. */
  update(row: T, log: UndoLog): void {
    const id = this.pk(row);
    const old = this.rows.get(id);
    if (!old) throw new Error(`${this.name}: no row ${id}`);
    this.checkUnique(row, id);
    this.detach(old, true);
    this.attach(row, true);
    log.push(() => {
      this.detach(row, true);
      this.attach(old, true);
    });
  }

  remove(id: string, log: UndoLog): T | undefined {
    const old = this.rows.get(id);
    if (!old) return undefined;
    this.detach(old);
    log.push(() => this.attach(old));
    return old;
  }

  private checkUnique(row: T, id: string): void {
    for (const index of this.uniqueList) {
      const key = index.key(row);
      if (key === null) continue;
      const holder = index.map.get(key);
      if (holder !== undefined && holder !== id) throw index.conflict();
    }
  }

  /** `replacing`: the row takes the place of one with the same id (its position is kept). */
  private attach(row: T, replacing = false): void {
    const id = this.pk(row);
    this.rows.set(id, row);
    for (const index of this.uniqueList) {
      const key = index.key(row);
      if (key !== null) index.map.set(key, id);
    }
    for (const { key: keyOf, map } of this.groupList) {
      const key = keyOf(row);
      if (key === null) continue;
      let set = map.get(key);
      if (!set) map.set(key, (set = new Set()));
      set.add(id);
    }
    if (replacing || !this.ordered || this.sorted === null) return;
    // Ids are time-ordered, so a new row usually sorts last: append instead of re-sorting.
    const last = this.sorted[this.sorted.length - 1];
    if (last === undefined || last < id) this.sorted.push(id);
    else this.sorted = null;
  }

  private detach(row: T, replacing = false): void {
    const id = this.pk(row);
    if (!replacing) this.rows.delete(id);
    for (const index of this.uniqueList) {
      const key = index.key(row);
      if (key !== null && index.map.get(key) === id) index.map.delete(key);
    }
    for (const { key: keyOf, map } of this.groupList) {
      const key = keyOf(row);
      if (key === null) continue;
      const set = map.get(key);
      set?.delete(id);
      if (set?.size === 0) map.delete(key);
    }
    if (replacing || !this.ordered || this.sorted === null) return;
    if (this.sorted[this.sorted.length - 1] === id) this.sorted.pop();
    else this.sorted = null;
  }
}

/** The first index whose id is >= `id` (or > `id` when `after`) in ascending ids. */
export function lowerBound(ids: readonly string[], id: string, after = false): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! < id || (after && ids[mid] === id)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
