import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { loadConfig } from '../config.js';
import type { Core } from '../core.js';
import { openCore } from '../app.js';
import { closeLogger } from '../logging.js';
import { breachReport } from '../privacy/breach.js';
import { verifyAuditChain } from '../privacy/audit.js';
import { canonicalIp } from '../privacy/ip.js';
import { policyFacts, renderPolicy, type PolicyFormat } from '../privacy/policy.js';
import { purgeExpiredData } from '../privacy/retention.js';
import { eraseSubject, exportCsv, exportView, parseSubject, subjectDigest } from '../privacy/subjects.js';
import type { Subject, SubjectKind } from '../store/privacy.js';

/** Opens the store for a one-shot privacy command, and closes it whatever happens. */
async function withStore<T>(fn: (core: Core) => Promise<T>): Promise<T> {
  const core = await openCore(loadConfig(), {});
  try {
    return await fn(core);
  } finally {
    await core.store.close();
    await closeLogger(core.logger);
  }
}

const cli = { actor: 'cli' } as const;

interface SubjectOptions { email?: string; ip?: string; domain?: string; device?: string }

function subjectOf(o: SubjectOptions): Subject {
  const given = (['email', 'ip', 'domain', 'device'] as const).filter((k) => o[k] !== undefined);
  if (given.length !== 1) throw new Error('name exactly one data subject: --email, --ip, --domain or --device');
  const kind: SubjectKind = given[0]!;
  return parseSubject(kind, o[kind]!);
}

function subjectOptions(cmd: Command): Command {
  return cmd.option('--email <email>', 'a licensee email').option('--ip <ip>', 'a client IP address')
    .option('--domain <domain>', 'an activated domain').option('--device <uuid>', 'an activated device UUID');
}

function parseTime(name: string, v: string): number {
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new Error(`${name} must be an ISO 8601 date or date-time, such as 2026-11-27T08:00:00Z`);
  return t;
}

/**
 * `privacy`, `audit`, `breach` and `account suspend-api`: the privacy engine from the command
 * line. Without `--account`, data-subject commands search every account (the operator's view).
 */
export function registerPrivacyCommands(program: Command, account: () => string | undefined): void {
  const privacy = program.command('privacy').description('data-subject rights, retention and the privacy policy');

  subjectOptions(privacy.command('find').description('print everything held about a data subject as JSON'))
    .action(async (o: SubjectOptions) => withStore(async (core) => {
      const subject = subjectOf(o);
      const records = await core.store.findSubject(account() ?? null, subject, subjectDigest(core, subject));
      await core.auditor.record({ ...cli, accountId: account() ?? null, action: 'cli privacy find', detail: { kind: subject.kind } });
      console.log(JSON.stringify(exportView(core, subject, records), null, 2));
    }));

  subjectOptions(privacy.command('export').description('export a data subject\'s data to a file (JSON or CSV, mode 0600)'))
    .requiredOption('--out <file>', 'the file to write')
    .addOption(new Option('--format <format>', 'file format').choices(['json', 'csv']).default('json'))
    .action(async (o: SubjectOptions & { out: string; format: 'json' | 'csv' }) => withStore(async (core) => {
      const subject = subjectOf(o);
      const data = exportView(core, subject, await core.store.findSubject(account() ?? null, subject, subjectDigest(core, subject)));
      writeFileSync(o.out, o.format === 'csv' ? exportCsv(data) : `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
      await core.auditor.record({ ...cli, accountId: account() ?? null, action: 'cli privacy export', detail: { kind: subject.kind, format: o.format } });
      console.log(`exported ${data.licenses.length} licenses, ${data.activations.length} activations, ${data.requests.length} requests to ${o.out}`);
    }));

  privacy.command('rectify').description('change the licensee email and/or name of an email\'s licenses')
    .requiredOption('--email <email>', 'the licensee email as stored').option('--set-email <email>', 'the new email')
    .option('--set-name <name>', 'the new name')
    .action(async (o: { email: string; setEmail?: string; setName?: string }) => withStore(async (core) => {
      if (o.setEmail === undefined && o.setName === undefined) throw new Error('give --set-email and/or --set-name');
      const set = { email: o.setEmail === undefined ? undefined : parseSubject('email', o.setEmail).value, name: o.setName };
      const n = await core.store.rectifySubject(account() ?? null, parseSubject('email', o.email).value, set, core.now());
      await core.auditor.record({ ...cli, accountId: account() ?? null, action: 'cli privacy rectify', detail: { licenses: n, fields: Object.keys(set).filter((k) => set[k as keyof typeof set] !== undefined) } });
      console.log(`rectified ${n} licenses`);
    }));

  subjectOptions(privacy.command('erase').description('erase a data subject; prints what was removed, retained and which keys stop working'))
    .option('--yes', 'do not ask: erasure cannot be undone')
    .action(async (o: SubjectOptions & { yes?: boolean }) => withStore(async (core) => {
      const subject = subjectOf(o);
      if (!o.yes) throw new Error('erasure cannot be undone: run again with --yes');
      const report = await eraseSubject(core, account() ?? null, subject);
      await core.auditor.record({ ...cli, accountId: account() ?? null, action: 'cli privacy erase', detail: { kind: subject.kind, ...report.removed } });
      console.log(JSON.stringify(report, null, 2));
    }));

  privacy.command('purge').description('apply the retention periods now (the server also does so on its schedule)')
    .action(async () => withStore(async (core) => {
      const counts = await purgeExpiredData(core);
      console.log(Object.entries(counts).map(([k, v]) => `${k}: ${v}`).join('\n'));
    }));

  privacy.command('policy').description('print the data-processing sections of the privacy policy for this configuration')
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'html', 'json']).default('md'))
    .action((o: { format: PolicyFormat }) => {
      process.stdout.write(renderPolicy(policyFacts(loadConfig()), o.format).body);
    });

  const audit = program.command('audit').description('the hash-chained audit log');
  audit.command('verify').description('check that no audit entry was removed or altered (exit 1 if one was)')
    .action(async () => withStore(async (core) => {
      const r = await verifyAuditChain(core.store);
      for (const p of r.problems) console.log(`entry ${p.seq}: ${p.problem}`);
      console.log(r.ok
        ? `audit log intact: ${r.checked} entries checked, from ${r.anchor.seq + 1} to ${r.lastSeq}`
        : `audit log TAMPERED: ${r.problems.length} problems in ${r.checked} entries`);
      if (!r.ok) process.exitCode = 1;
    }));
  audit.command('list').description('print audit entries as JSON lines, oldest first')
    .option('--from <iso>', 'from this time').option('--to <iso>', 'until this time').option('--actor <token>', 'acting token id')
    .action(async (o: { from?: string; to?: string; actor?: string }) => withStore(async (core) => {
      let after = 0;
      for (;;) {
        const page = await core.store.listAudit({
          accountId: account(), actor: o.actor, from: o.from ? parseTime('--from', o.from) : undefined,
          to: o.to ? parseTime('--to', o.to) : undefined, afterSeq: after, limit: 1000,
        });
        for (const e of page) console.log(JSON.stringify({ ...e, at: new Date(e.at).toISOString() }));
        if (page.length < 1000) break;
        after = page.at(-1)!.seq;
      }
    }));

  const breach = program.command('breach').description('breach response');
  breach.command('report').description('what was read or changed in a window, by whom, whom it concerns and the 72-hour deadline')
    .requiredOption('--from <iso>', 'start of the window').requiredOption('--to <iso>', 'end of the window')
    .option('--aware-at <iso>', 'when the breach became known (default: now)')
    .option('--token <id>', 'only what this token did').option('--ip <ip>', 'only requests from this IP')
    .action(async (o: { from: string; to: string; awareAt?: string; token?: string; ip?: string }) => withStore(async (core) => {
      const from = parseTime('--from', o.from);
      const to = parseTime('--to', o.to);
      if (from >= to) throw new Error('--from must be before --to');
      const report = await breachReport(core, {
        from, to, awareAt: o.awareAt ? parseTime('--aware-at', o.awareAt) : core.now(), token: o.token, accountId: account(),
        ip: o.ip === undefined ? undefined : canonicalIp(o.ip) ?? o.ip,
      });
      console.log(JSON.stringify(report, null, 2));
    }));

  const acct = program.command('account').description('accounts');
  for (const [name, suspend] of [['suspend-api', true], ['reinstate-api', false]] as const) {
    acct.command(`${name} <id>`).description(suspend ? "shut down an account's admin API access until reinstated" : "reinstate an account's admin API access")
      .action(async (id: string) => withStore(async (core) => {
        if (!(await core.store.setAccountApiSuspended(id, suspend ? core.now() : null))) throw new Error(`there is no account "${id}"`);
        await core.auditor.record({ ...cli, accountId: id, action: `cli account ${name}`, target: id });
        console.log(`${id}: admin API access ${suspend ? 'shut down' : 'reinstated'}`);
      }));
  }
}
