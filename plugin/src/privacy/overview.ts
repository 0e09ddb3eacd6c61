/**
 * Reads GET /privacy/overview field by field, like the boot data: a missing or malformed part
 * degrades to "not known" instead of breaking the screen (the server's part is missing when it
 * could not be reached; the comment settings are the site's own and always there).
 */
import type { AccountInfo, CommentRetention, Days, Overview, ServerInventory, Subprocessor } from './types';

type Obj = Record< string, unknown >;

const obj = ( v: unknown ): Obj | null =>
	typeof v === 'object' && v !== null && ! Array.isArray( v ) ? ( v as Obj ) : null;
const str = ( v: unknown ): string | null => ( typeof v === 'string' && v !== '' ? v : null );
const num = ( v: unknown ): number | null => ( typeof v === 'number' && Number.isFinite( v ) ? v : null );
const strings = ( v: unknown ): string[] =>
	Array.isArray( v ) ? v.filter( ( s ): s is string => typeof s === 'string' ) : [];
/** A retention period: a positive number of days, else null (kept). */
const days = ( v: unknown ): Days => {
	const n = num( v );
	return n !== null && n > 0 ? n : null;
};

function subprocessors( v: unknown ): Subprocessor[] {
	if ( ! Array.isArray( v ) ) {
		return [];
	}
	const out: Subprocessor[] = [];
	for ( const item of v ) {
		const s = obj( item );
		const name = str( s?.name );
		if ( s && name ) {
			out.push( { name, purpose: str( s.purpose ) ?? '', location: str( s.location ) ?? '' } );
		}
	}
	return out;
}

export function readServerInventory( raw: unknown ): ServerInventory | null {
	const i = obj( raw );
	// The facts either at the top of the inventory or under `server`/`facts`.
	const facts = obj( i?.server ) ?? obj( i?.facts ) ?? i;
	const retention = obj( facts?.retention );
	if ( ! facts || ! retention ) {
		return null;
	}
	const requestLog = obj( facts.requestLog );
	const ip = obj( facts.ipAnonymisation );
	const purge = obj( facts.purge );
	const rate = obj( facts.rateLimiting );
	const collector = obj( facts.logCollector );
	return {
		requestLog: { enabled: requestLog?.enabled === true, fields: strings( requestLog?.fields ) },
		ipAnonymisation: {
			afterDays: days( ip?.afterDays ),
			ipv4PrefixBits: num( ip?.ipv4PrefixBits ) ?? 24,
			ipv6PrefixBits: num( ip?.ipv6PrefixBits ) ?? 64,
			appliesTo: strings( ip?.appliesTo ),
		},
		retention: {
			requestLogDays: days( retention.requestLogDays ),
			ipDays: days( retention.ipDays ),
			auditDays: days( retention.auditDays ),
			deactivatedActivationDays: days( retention.deactivatedActivationDays ),
			expiredLicenseDays: days( retention.expiredLicenseDays ),
		},
		purge: { automatic: purge?.automatic === true, intervalMinutes: num( purge?.intervalMinutes ) },
		rateLimiting: rate
			? { perIp: num( rate.perIp ), perKey: num( rate.perKey ), windowSeconds: num( rate.windowSeconds ) ?? 60 }
			: null,
		logCollector: str( collector?.host ) ? { host: str( collector?.host ) as string } : null,
		storage: str( facts.storage ),
		subprocessors: subprocessors( facts.subprocessors ?? i?.subprocessors ),
		subjectRequestDays: num( facts.subjectRequestDays ) ?? 30,
		breachNotificationHours: num( facts.breachNotificationHours ) ?? 72,
		warnings: strings( facts.warnings ),
	};
}

export function readComments( raw: unknown ): CommentRetention {
	const c = obj( raw );
	const daysValue = num( c?.retentionDays );
	return {
		retentionDays: daysValue !== null && daysValue > 0 ? Math.floor( daysValue ) : 0,
		// Core stores both unless told otherwise: that is the default when the answer says nothing.
		storeIp: c?.storeIp !== false,
		storeUserAgent: c?.storeUserAgent !== false,
		lastRun: str( c?.lastRun ),
		anonymisedTotal: num( c?.anonymisedTotal ) ?? 0,
	};
}

export function readAccount( raw: unknown ): AccountInfo | null {
	const a = obj( raw );
	const id = str( a?.id );
	if ( ! a || ! id ) {
		return null;
	}
	return {
		id,
		name: str( a.name ) ?? id,
		operator: a.operator === true,
		apiSuspendedAt: str( a.apiSuspendedAt ),
	};
}

function readError( raw: unknown ): { code: string; message: string } | null {
	const e = obj( raw );
	const code = str( e?.code );
	return e && code ? { code, message: str( e.message ) ?? code } : null;
}

export function readOverview( raw: unknown ): Overview {
	const o = obj( raw );
	const inventory = obj( o?.inventory );
	return {
		server: readServerInventory( inventory ),
		comments: readComments( inventory?.comments ?? o?.comments ),
		policyUrl: str( o?.policyUrl ),
		account: readAccount( o?.account ),
		accountError: readError( o?.accountError ),
	};
}
