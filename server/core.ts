import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { KeyVault } from './crypto/keys.js';
import type { Signer } from './crypto/signing.js';
import type { HostPatterns } from './domain/hosts.js';
import type { Auditor } from './privacy/audit.js';
import type { RequestLog } from './privacy/request-log.js';
import type { LastSeenBuffer } from './services/last-seen.js';
import type { Store } from './store/store.js';

/** What the services and handlers share: built once at start by `openCore`. */
export interface Core {
  config: Config;
  store: Store;
  vault: KeyVault;
  signer: Signer;
  devHosts: HostPatterns;
  now: () => number;
  logger: Logger;
  lastSeen: LastSeenBuffer;
  requestLog: RequestLog;
  auditor: Auditor;
}
