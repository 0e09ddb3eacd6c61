/**
 * Pure formatting shared by the screens.
 */
import { __, _n, sprintf } from '@wordpress/i18n';

type Status = 'active' | 'suspended' | 'revoked' | 'expired';
type LockType = 'none' | 'domain' | 'device';

export function statusLabel( status: Status ): string {
	switch ( status ) {
		case 'active':
			return __( 'Active', 'batchkeys' );
		case 'suspended':
			return __( 'Suspended', 'batchkeys' );
		case 'revoked':
			return __( 'Revoked', 'batchkeys' );
		case 'expired':
			return __( 'Expired', 'batchkeys' );
	}
}

export function lockLabel( lock: LockType ): string {
	switch ( lock ) {
		case 'none':
			return __( 'Not locked', 'batchkeys' );
		case 'domain':
			return __( 'Locked to domains', 'batchkeys' );
		case 'device':
			return __( 'Locked to devices', 'batchkeys' );
	}
}

/** A date and time in the reader's locale; `fallback` for null (e.g. "Never"). */
export function formatDateTime(
	iso: string | null,
	fallback: string,
	locale?: string
): string {
	if ( iso === null ) {
		return fallback;
	}
	const date = new Date( iso );
	if ( Number.isNaN( date.getTime() ) ) {
		return iso;
	}
	return new Intl.DateTimeFormat( locale, {
		dateStyle: 'medium',
		timeStyle: 'short',
	} ).format( date );
}

export function formatExpiry( iso: string | null, locale?: string ): string {
	return formatDateTime( iso, __( 'Never', 'batchkeys' ), locale );
}

export function formatActivations(
	count: number,
	max: number | null
): string {
	if ( max === null ) {
		return sprintf(
			/* translators: %d: number of activations */
			__( '%d (no limit)', 'batchkeys' ),
			count
		);
	}
	/* translators: 1: activations in use, 2: activations allowed */
	return sprintf( __( '%1$d of %2$d', 'batchkeys' ), count, max );
}

export function formatLimit( max: number | null ): string {
	return max === null ? __( 'No limit', 'batchkeys' ) : String( max );
}

export function formatTokens(
	tokens: { remaining: number; total: number } | null
): string {
	if ( tokens === null ) {
		return __( 'No token balance', 'batchkeys' );
	}
	/* translators: 1: tokens left, 2: tokens granted in total */
	return sprintf(
		__( '%1$d of %2$d left', 'batchkeys' ),
		tokens.remaining,
		tokens.total
	);
}

export function formatDuration( days: number | null ): string {
	if ( days === null ) {
		return __( 'Does not expire', 'batchkeys' );
	}
	/* translators: %d: number of days */
	return sprintf( _n( '%d day', '%d days', days, 'batchkeys' ), days );
}

/** The name a key is listed under: its licensee's email, else name, else its id. */
export function licenseeLabel( license: {
	id: string;
	email: string | null;
	name: string | null;
} ): string {
	return license.email ?? license.name ?? license.id;
}

/**
 * A number field's text as a count: '' is null (no value), anything but a whole number from 0
 * is undefined (invalid).
 */
export function parseCount( text: string ): number | null | undefined {
	const trimmed = text.trim();
	if ( trimmed === '' ) {
		return null;
	}
	if ( ! /^\d{1,10}$/.test( trimmed ) ) {
		return undefined;
	}
	const value = Number( trimmed );
	return value <= 1_000_000_000 ? value : undefined;
}

/** A date field's YYYY-MM-DD as the end of that day in UTC; '' is null; anything else undefined. */
export function endOfDayUtc( date: string ): string | null | undefined {
	if ( date.trim() === '' ) {
		return null;
	}
	const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec( date.trim() );
	if ( ! match ) {
		return undefined;
	}
	const [ , y, m, d ] = match;
	const ms = Date.UTC( Number( y ), Number( m ) - 1, Number( d ), 23, 59, 59 );
	const back = new Date( ms );
	// Reject dates that rolled over, like 2025-02-30.
	if ( back.getUTCDate() !== Number( d ) ) {
		return undefined;
	}
	return back.toISOString().replace( '.000Z', 'Z' );
}

/** A slug from a product name: lower-case letters, digits and single dashes, at most 64. */
export function slugify( name: string ): string {
	return name
		.normalize( 'NFKD' )
		.replace( /[\u0300-\u036f]/g, '' )
		.toLowerCase()
		.replace( /[^a-z0-9]+/g, '-' )
		.replace( /^-+|-+$/g, '' )
		.slice( 0, 64 )
		.replace( /-+$/, '' );
}

export interface BulkOutcome {
	succeeded: number;
	failed: { label: string; message: string }[];
}

/** The one notice that sums up a bulk action run one call per key. */
export function summariseBulk(
	action: 'suspend' | 'revoke',
	outcome: BulkOutcome
): string {
	const done = outcome.succeeded;
	const failed = outcome.failed.length;
	const doneText =
		action === 'suspend'
			? /* translators: %d: number of keys */
			  _n( 'Suspended %d key.', 'Suspended %d keys.', done, 'batchkeys' )
			: /* translators: %d: number of keys */
			  _n( 'Revoked %d key.', 'Revoked %d keys.', done, 'batchkeys' );
	if ( failed === 0 ) {
		return sprintf( doneText, done );
	}
	const first = outcome.failed[ 0 ];
	const failText = sprintf(
		/* translators: 1: number of keys, 2: first key that failed, 3: why */
		_n(
			'%1$d failed (%2$s: %3$s).',
			'%1$d failed; the first was %2$s: %3$s',
			failed,
			'batchkeys'
		),
		failed,
		first?.label ?? '',
		first?.message ?? ''
	);
	return done === 0 ? failText : `${ sprintf( doneText, done ) } ${ failText }`;
}
