import { TextFile } from 'lowdb/node';
import { describeIssues, FILE_VERSION, fileSchema, TABLES, upgradeFile, type FileData } from './schema.js';

export type TableName = (typeof TABLES)[number];
/** The file's fields that are single values rather than tables. */
export type FileMeta = Pick<FileData, 'nextRequestSeq' | 'auditAnchor'>;

/** The store file as read at open: its checked data and its exact text (for the backup). */
export interface GoodFile {
  data: FileData;
  text: string;
}

function refuse(file: string, problem: string): Error {
  return new Error(`the JSON store ${file} cannot be opened: ${problem}. `
    + `The file was left as it is: fix it, or put back ${file}.bak (the file as it was before the last session's first change).`);
}

/** Reads and checks the file; null when it does not exist. Never writes. */
export async function readStoreFile(file: string): Promise<GoodFile | null> {
  let text: string | null;
  try {
    text = await new TextFile(file).read();
  } catch (err) {
    throw refuse(file, `it cannot be read (${(err as Error).message})`);
  }
  if (text === null) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw refuse(file, `it is not valid JSON (${(err as Error).message})`);
  }
  const version = (raw as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version > FILE_VERSION) {
    throw refuse(file, `it was written by a newer BatchKeys (file version ${version}, this one reads ${FILE_VERSION})`);
  }
  const checked = fileSchema.safeParse(upgradeFile(raw));
  if (!checked.success) throw refuse(file, `it is not a BatchKeys store file (${describeIssues(checked.error)})`);
  return { data: checked.data, text };
}

/** Names the problem with one stored record found while loading the file. */
export function refuseRecord(file: string, table: TableName, index: number, err: unknown): Error {
  return refuse(file, `${table}[${index}]: ${(err as Error).message}`);
}

/**
 * Writes the whole data set, pretty-printed, through lowdb's text adapter: steno writes a
 * temporary file beside it and renames it over the old one, so the file on disk is always a
 * complete version, old or new, even if the process dies mid-write. (There is no fsync: like
 * SQLite's `synchronous = NORMAL`, a killed process loses nothing acknowledged, and only an
 * operating-system crash can lose the last writes.)
 *
 * The text is that of `JSON.stringify(data, null, 2)` plus a final newline, built from pieces
 * cached by row: rows are never mutated in place, so a cached piece is never stale, and a write
 * re-serialises only the rows changed since the last one instead of the whole data set.
 */
export class StoreFileWriter {
  private readonly out: TextFile;
  private readonly pieces = new WeakMap<object, string>();

  constructor(file: string) {
    this.out = new TextFile(file);
  }

  /** The file's text for this data set (rendered once, so that it can be written twice). */
  render(meta: FileMeta, tables: Record<TableName, Iterable<object>>): string {
    const parts = [`{\n  "version": ${FILE_VERSION}`];
    for (const name of ['nextRequestSeq', 'auditAnchor'] as const) {
      parts.push(`,\n  "${name}": ${JSON.stringify(meta[name], null, 2).replaceAll('\n', '\n  ')}`);
    }
    for (const name of TABLES) parts.push(`,\n  "${name}": ${this.array(tables[name])}`);
    parts.push('\n}\n');
    return parts.join('');
  }

  write(text: string): Promise<void> {
    return this.out.write(text);
  }

  private array(rows: Iterable<object>): string {
    const items: string[] = [];
    for (const row of rows) {
      let piece = this.pieces.get(row);
      if (piece === undefined) {
        piece = `    ${JSON.stringify(row, null, 2).replaceAll('\n', '\n    ')}`;
        this.pieces.set(row, piece);
      }
      items.push(piece);
    }
    return items.length === 0 ? '[]' : `[\n${items.join(',\n')}\n  ]`;
  }
}

/**
 * Keeps the file as it was read at open as `<file>.bak`, written (atomically, like the store)
 * just before the session's first change: a session that only reads changes nothing on disk,
 * and after a bad change or a bad hand edit the previous good version is one rename away.
 * A change that removes personal data rewrites it from the new state instead (see the store's
 * `persist`), so that what was erased does not live on in the backup.
 */
export function writeBackup(file: string, text: string): Promise<void> {
  return new TextFile(`${file}.bak`).write(text);
}
