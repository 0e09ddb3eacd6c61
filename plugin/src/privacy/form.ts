/**
 * The privacy screen's forms: typed text in, a request body and errors out (pure, unit-tested).
 */
import { __ } from '@wordpress/i18n';
import { parseCount } from '../shared/format';
import type {
	BreachFields,
	BreachQuery,
	CommentRetention,
	RequestFields,
	RequestKind,
	RetentionFields,
	SubjectRequestInput,
} from './types';

export type Errors< F > = Partial< Record< keyof F, string > >;

/** Ten years: longer is a typo, and "keep" is 0. */
export const MAX_RETENTION_DAYS = 3650;

export const retentionFields = ( c: CommentRetention ): RetentionFields => ( {
	retentionDays: String( c.retentionDays ),
	storeIp: c.storeIp,
	storeUserAgent: c.storeUserAgent,
} );

export function buildRetention( f: RetentionFields ): {
	body: { retentionDays: number; storeIp: boolean; storeUserAgent: boolean };
	errors: Errors< RetentionFields >;
} {
	const errors: Errors< RetentionFields > = {};
	const days = parseCount( f.retentionDays );
	if ( days === undefined || ( days !== null && days > MAX_RETENTION_DAYS ) ) {
		errors.retentionDays = __( 'Enter a whole number of days from 0 (keep them) to 3650.', 'batchkeys' );
	}
	return {
		body: { retentionDays: days ?? 0, storeIp: f.storeIp, storeUserAgent: f.storeUserAgent },
		errors,
	};
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const KINDS: RequestKind[] = [ 'access', 'export', 'rectify', 'erase' ];

/** A YYYY-MM-DD that exists, as midnight UTC of that day in milliseconds; null otherwise. */
export function dayStartUtc( date: string ): number | null {
	const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec( date.trim() );
	if ( ! m ) {
		return null;
	}
	const ms = Date.UTC( Number( m[ 1 ] ), Number( m[ 2 ] ) - 1, Number( m[ 3 ] ) );
	return new Date( ms ).getUTCDate() === Number( m[ 3 ] ) ? ms : null;
}

/** Today as YYYY-MM-DD (UTC), the form's default for "Received on". */
export const todayUtc = ( now: number ): string => new Date( now ).toISOString().slice( 0, 10 );

export const emptyRequest = ( now: number ): RequestFields => ( {
	kind: 'access',
	email: '',
	receivedOn: todayUtc( now ),
} );

export function buildRequest(
	f: RequestFields,
	now: number
): { body: SubjectRequestInput; errors: Errors< RequestFields > } {
	const errors: Errors< RequestFields > = {};
	const email = f.email.trim().toLowerCase();
	if ( ! KINDS.includes( f.kind ) ) {
		errors.kind = __( 'Choose the type of request.', 'batchkeys' );
	}
	if ( ! EMAIL.test( email ) || email.length > 254 ) {
		errors.email = __( 'Enter the email address of the person who made the request.', 'batchkeys' );
	}
	const received = dayStartUtc( f.receivedOn );
	if ( received === null ) {
		errors.receivedOn = __( 'Enter the date the request arrived.', 'batchkeys' );
	} else if ( received > now ) {
		errors.receivedOn = __( 'The request cannot arrive in the future.', 'batchkeys' );
	}
	const body: SubjectRequestInput = { kind: f.kind, subject: { kind: 'email', value: email } };
	if ( received !== null ) {
		body.receivedAt = new Date( received ).toISOString().replace( '.000Z', 'Z' );
	}
	return { body, errors };
}

/** A datetime-local value (YYYY-MM-DDTHH:MM, the browser's time zone) as ISO in UTC; null if not one. */
export function localToIso( value: string ): string | null {
	if ( ! /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test( value.trim() ) ) {
		return null;
	}
	const ms = new Date( value.trim() ).getTime();
	return Number.isFinite( ms ) ? new Date( ms ).toISOString().replace( '.000Z', 'Z' ) : null;
}

/** A time as a datetime-local value in the browser's time zone. */
export function isoToLocal( ms: number ): string {
	const d = new Date( ms );
	const pad = ( n: number ) => String( n ).padStart( 2, '0' );
	return `${ d.getFullYear() }-${ pad( d.getMonth() + 1 ) }-${ pad( d.getDate() ) }T${ pad( d.getHours() ) }:${ pad( d.getMinutes() ) }`;
}

const MINUTE = 60_000;

/**
 * The breach form's start: the last 24 hours, the end rounded up to the next minute (the field
 * has no seconds, and what happened in the current minute belongs in the window).
 */
export const emptyBreach = ( now: number ): BreachFields => ( {
	from: isoToLocal( now - 24 * 3_600_000 ),
	to: isoToLocal( Math.floor( now / MINUTE ) * MINUTE + MINUTE ),
	awareAt: '',
	token: '',
	ip: '',
} );

const TOKEN_ID = /^[A-Za-z0-9_-]{1,64}$/;
const IP = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:.]{2,45})$/;

export function buildBreach( f: BreachFields ): { body: BreachQuery; errors: Errors< BreachFields > } {
	const errors: Errors< BreachFields > = {};
	const from = localToIso( f.from );
	const to = localToIso( f.to );
	if ( from === null ) {
		errors.from = __( 'Enter when the window starts.', 'batchkeys' );
	}
	if ( to === null ) {
		errors.to = __( 'Enter when the window ends.', 'batchkeys' );
	} else if ( from !== null && Date.parse( from ) >= Date.parse( to ) ) {
		errors.to = __( 'The end must be after the start.', 'batchkeys' );
	}
	const body: BreachQuery = { from: from ?? '', to: to ?? '' };
	if ( f.awareAt.trim() !== '' ) {
		const aware = localToIso( f.awareAt );
		if ( aware === null ) {
			errors.awareAt = __( 'Enter a date and time, or leave empty for now.', 'batchkeys' );
		} else {
			body.awareAt = aware;
		}
	}
	const token = f.token.trim();
	if ( token !== '' ) {
		if ( TOKEN_ID.test( token ) ) {
			body.token = token;
		} else {
			errors.token = __( 'Enter a token id as the server lists it (letters, digits, _ and -).', 'batchkeys' );
		}
	}
	const ip = f.ip.trim();
	if ( ip !== '' ) {
		if ( IP.test( ip ) ) {
			body.ip = ip;
		} else {
			errors.ip = __( 'Enter an IPv4 or IPv6 address.', 'batchkeys' );
		}
	}
	return { body, errors };
}
