import { DUMP_KINDS, type DumpKind, type DumpRecord } from '../dump.js';
import { jsonCopy, type JsonData } from './data.js';
import { checkAnchor, checkRecord, FILE_VERSION, type FileData, type StoredIdempotency } from './schema.js';

const byKey = <T>(key: (r: T) => string) => (a: T, b: T) => {
  const x = key(a);
  const y = key(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** A stored answer's bytes as text: UTF-8 when they are valid UTF-8 (they are JSON), base64 otherwise. */
export function encodeBody(body: Buffer): Pick<StoredIdempotency, 'body' | 'bodyEncoding'> {
  const text = body.toString('utf8');
  return Buffer.from(text).equals(body) ? { body: text, bodyEncoding: 'utf8' } : { body: body.toString('base64'), bodyEncoding: 'base64' };
}

/**
 * Every record in the store-independent dump form, each kind in id order. The lists are taken
 * at once, before the first record is yielded: rows are never changed in place, so this is a
 * consistent snapshot even if changes are made while the dump is read.
 */
export function dumpJson(d: JsonData): AsyncGenerator<DumpRecord> {
  const snapshot: DumpRecord[][] = [
    [...d.accounts.values()].sort(byKey((r) => r.id)).map((value) => ({ kind: 'account', value: { ...value } })),
    [...d.tokens.values()].sort(byKey((r) => r.id)).map((value) => ({ kind: 'token', value: { ...value, scopes: [...value.scopes] } })),
    [...d.products.values()].sort(byKey((r) => r.id)).map((value) => ({ kind: 'product', value: { ...value } })),
    [...d.policies.values()].sort(byKey((r) => r.id)).map((value) => ({ kind: 'policy', value: { ...value } })),
    d.licenses.ids().map((id) => ({ kind: 'license', value: d.toLicense(d.licenses.get(id)!) })),
    [...d.activations.values()].sort(byKey((r) => r.id)).map((value) => ({ kind: 'activation', value: { ...value } })),
    [...d.ledger.values()].sort(byKey((r) => r.id)).map((value) => ({ kind: 'ledger', value: { ...value } })),
    [...d.idempotency.values()].sort(byKey((r) => `${r.licenseId}/${r.key}`)).map(({ bodyEncoding, body, ...rest }) => ({
      kind: 'idempotency', value: { ...rest, body: Buffer.from(body, bodyEncoding).toString('base64') },
    })),
    d.requests.ids().map((id) => ({ kind: 'request', value: { ...d.requests.get(id)! } })),
    d.audit.ids().map((id) => ({ kind: 'audit', value: jsonCopy(d.audit.get(id)!) })),
    // Only an anchor retention has moved, as the SQL stores keep it: the genesis is implied.
    (() => {
      const anchor = d.storedAnchor();
      return anchor ? [{ kind: 'auditAnchor', value: { ...anchor } }] : [];
    })(),
    d.subjectRequests.ids().map((id) => ({ kind: 'subjectRequest', value: jsonCopy(d.subjectRequests.get(id)!) })),
  ];
  return (async function* () {
    for (const list of snapshot) yield* list;
  })();
}

export function countJson(d: JsonData): Record<DumpKind, number> {
  const counts: Record<DumpKind, number> = {
    account: d.accounts.size, token: d.tokens.size, product: d.products.size, policy: d.policies.size, license: d.licenses.size,
    activation: d.activations.size, ledger: d.ledger.size, idempotency: d.idempotency.size, request: d.requests.size,
    audit: d.audit.size, auditAnchor: d.storedAnchor() ? 1 : 0, subjectRequest: d.subjectRequests.size,
  };
  return Object.fromEntries(DUMP_KINDS.map((k) => [k, counts[k]])) as Record<DumpKind, number>;
}

/** Reads a whole dump into the file's form, checking every record on the way. */
export async function fromDump(records: AsyncIterable<DumpRecord>, onRecord?: (n: number) => void): Promise<{ data: FileData; count: number }> {
  const data: FileData = {
    version: FILE_VERSION, nextRequestSeq: 1, auditAnchor: null, accounts: [], tokens: [], products: [], policies: [], licenses: [],
    activations: [], ledger: [], idempotency: [], requests: [], audit: [], subjectRequests: [],
  };
  let count = 0;
  for await (const r of records) {
    switch (r.kind) {
      case 'account': data.accounts.push(checkRecord('accounts', r.value)); break;
      case 'token': data.tokens.push(checkRecord('tokens', r.value)); break;
      case 'product': data.products.push(checkRecord('products', r.value)); break;
      case 'policy': data.policies.push(checkRecord('policies', r.value)); break;
      case 'license': {
        const { productSlug: _slug, ...row } = r.value;
        data.licenses.push(checkRecord('licenses', row));
        break;
      }
      case 'activation': data.activations.push(checkRecord('activations', r.value)); break;
      case 'ledger': data.ledger.push(checkRecord('ledger', r.value)); break;
      case 'idempotency': {
        const { body, ...rest } = r.value;
        data.idempotency.push(checkRecord('idempotency', { ...rest, ...encodeBody(Buffer.from(body, 'base64')) }));
        break;
      }
      case 'request': {
        const row = checkRecord('requests', r.value);
        data.requests.push(row);
        // A dump does not carry the next seq: it follows the newest row.
        data.nextRequestSeq = Math.max(data.nextRequestSeq, row.seq + 1);
        break;
      }
      case 'audit': data.audit.push(checkRecord('audit', r.value)); break;
      case 'auditAnchor':
        if (data.auditAnchor !== null) throw new Error('the dump holds more than one audit anchor');
        data.auditAnchor = checkAnchor(r.value);
        break;
      case 'subjectRequest': data.subjectRequests.push(checkRecord('subjectRequests', r.value)); break;
    }
    count++; // not inside the optional call below: that would skip it without a callback
    onRecord?.(count);
  }
  return { data, count };
}
