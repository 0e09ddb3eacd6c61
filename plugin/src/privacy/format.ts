/**
 * Pure formatting of the privacy screen: retention periods, overdue requests, and the breach
 * report read as sentences.
 */
import { __, _n, sprintf } from '@wordpress/i18n';
import { formatDateTime } from '../shared/format';
import type { BreachReport, Days, RequestKind, SubjectRequest } from './types';

const HOUR = 3_600_000;

/** "30 days", or what happens without a period. */
export function formatDays( value: Days, whenNone: string ): string {
	if ( value === null ) {
		return whenNone;
	}
	/* translators: %d: number of days */
	return sprintf( _n( '%d day', '%d days', value, 'batchkeys' ), value );
}

export function requestKindLabel( kind: RequestKind ): string {
	switch ( kind ) {
		case 'access':
			return __( 'Access', 'batchkeys' );
		case 'export':
			return __( 'Export (portability)', 'batchkeys' );
		case 'rectify':
			return __( 'Rectification', 'batchkeys' );
		case 'erase':
			return __( 'Erasure', 'batchkeys' );
	}
}

/** An open request past its due date. */
export function isOverdue( request: Pick< SubjectRequest, 'status' | 'dueAt' >, now: number ): boolean {
	if ( request.status !== 'open' ) {
		return false;
	}
	const due = Date.parse( request.dueAt );
	return Number.isFinite( due ) && due < now;
}

/** Whole days from now to the due date: negative when late. */
export function daysUntil( iso: string, now: number ): number | null {
	const at = Date.parse( iso );
	if ( ! Number.isFinite( at ) ) {
		return null;
	}
	const diff = ( at - now ) / ( 24 * HOUR );
	// Late by less than a day still counts as one day late.
	return diff < 0 ? -Math.max( 1, Math.floor( -diff ) ) : Math.floor( diff );
}

/**
 * A calendar day: requests are received on a day (midnight UTC) and due 30 days later, so the
 * day is shown as UTC, without a time that would only move it in other time zones.
 */
export function formatDay( iso: string | null, locale?: string ): string {
	if ( iso === null ) {
		return '';
	}
	const date = new Date( iso );
	if ( Number.isNaN( date.getTime() ) ) {
		return iso;
	}
	return new Intl.DateTimeFormat( locale, { dateStyle: 'medium', timeZone: 'UTC' } ).format( date );
}

/** The due column: the day, and how far ahead or behind it is. */
export function dueText( request: Pick< SubjectRequest, 'status' | 'dueAt' >, now: number, locale?: string ): string {
	const date = formatDay( request.dueAt, locale );
	if ( request.status !== 'open' ) {
		return date;
	}
	const left = daysUntil( request.dueAt, now );
	if ( left === null ) {
		return date;
	}
	if ( left < 0 ) {
		/* translators: 1: due date, 2: number of days late */
		return sprintf( _n( '%1$s (%2$d day late)', '%1$s (%2$d days late)', -left, 'batchkeys' ), date, -left );
	}
	if ( left === 0 ) {
		/* translators: %s: due date */
		return sprintf( __( '%s (due today)', 'batchkeys' ), date );
	}
	/* translators: 1: due date, 2: number of days left */
	return sprintf( _n( '%1$s (%2$d day left)', '%1$s (%2$d days left)', left, 'batchkeys' ), date, left );
}

/** Counts by name, largest first, as "GET /v1/admin/licenses: 3". */
export function countLines( counts: Record< string, number > ): string[] {
	return Object.entries( counts )
		.sort( ( a, b ) => b[ 1 ] - a[ 1 ] || a[ 0 ].localeCompare( b[ 0 ] ) )
		.map( ( [ name, n ] ) => `${ name }: ${ n }` );
}

export interface BreachSummary {
	/** The notification deadline, in words. */
	deadline: string;
	/** Hours left, or how late, in words. */
	hoursLeft: string;
	late: boolean;
	window: string;
	filters: string[];
	entries: string;
	byActor: string[];
	read: string[];
	changed: string[];
	keysRevealed: string;
	revealedLicenses: string[];
	bulkReads: string;
	publicApi: string;
	accounts: string[];
	dataSubjects: string;
	contacts: string[];
}

/** The breach report as what a person reads first: when to notify, what happened, whom it concerns. */
export function summariseBreach( report: BreachReport, locale?: string ): BreachSummary {
	const late = report.hoursLeft < 0;
	const filters: string[] = [];
	if ( report.filters.token ) {
		/* translators: %s: an admin token id */
		filters.push( sprintf( __( 'Token: %s', 'batchkeys' ), report.filters.token ) );
	}
	if ( report.filters.ip ) {
		/* translators: %s: an IP address */
		filters.push( sprintf( __( 'IP address: %s', 'batchkeys' ), report.filters.ip ) );
	}
	if ( report.filters.account ) {
		/* translators: %s: an account id */
		filters.push( sprintf( __( 'Account: %s', 'batchkeys' ), report.filters.account ) );
	}
	const revealed = report.admin.keysRevealed.filter( ( k ): k is string => typeof k === 'string' );
	return {
		deadline: formatDateTime( report.notifyBy, '', locale ),
		hoursLeft: late
			? sprintf(
					/* translators: %d: hours */
					_n( 'The deadline passed %d hour ago.', 'The deadline passed %d hours ago.', -report.hoursLeft, 'batchkeys' ),
					-report.hoursLeft
			  )
			: sprintf(
					/* translators: %d: hours */
					_n( '%d hour left.', '%d hours left.', report.hoursLeft, 'batchkeys' ),
					report.hoursLeft
			  ),
		late,
		window: sprintf(
			/* translators: 1: start, 2: end */
			__( '%1$s to %2$s', 'batchkeys' ),
			formatDateTime( report.window.from, '', locale ),
			formatDateTime( report.window.to, '', locale )
		),
		filters,
		entries: sprintf(
			/* translators: %d: number of audit entries */
			_n( '%d admin API action in the window.', '%d admin API actions in the window.', report.admin.entries, 'batchkeys' ),
			report.admin.entries
		),
		byActor: countLines( report.admin.byActor ),
		read: countLines( report.admin.read ),
		changed: countLines( report.admin.changed ),
		keysRevealed:
			revealed.length === 0
				? __( 'No license key was revealed.', 'batchkeys' )
				: sprintf(
						/* translators: %d: number of keys */
						_n( '%d license key was revealed.', '%d license keys were revealed.', revealed.length, 'batchkeys' ),
						revealed.length
				  ),
		revealedLicenses: revealed,
		bulkReads: sprintf(
			/* translators: %d: number of reads */
			_n( '%d bulk read (list, search or export of many licenses).', '%d bulk reads (lists, searches or exports of many licenses).', report.admin.bulkReads, 'batchkeys' ),
			report.admin.bulkReads
		),
		publicApi: sprintf(
			/* translators: %d: number of requests */
			_n( '%d public API request.', '%d public API requests.', report.publicApi.requests, 'batchkeys' ),
			report.publicApi.requests
		),
		accounts: report.accounts.map( ( a ) => {
			const name = a.name ? `${ a.name } (${ a.id })` : a.id;
			return a.apiSuspended
				? /* translators: %s: account name and id */
				  sprintf( __( '%s — API access shut down', 'batchkeys' ), name )
				: name;
		} ),
		dataSubjects: sprintf(
			/* translators: 1: number of licensees, 2: number of licenses */
			__( '%1$s concerning %2$s.', 'batchkeys' ),
			sprintf(
				/* translators: %d: number of people */
				_n( '%d data subject (licensee)', '%d data subjects (licensees)', report.dataSubjects.licensees, 'batchkeys' ),
				report.dataSubjects.licensees
			),
			sprintf(
				/* translators: %d: number of licenses */
				_n( '%d license', '%d licenses', report.dataSubjects.licenses, 'batchkeys' ),
				report.dataSubjects.licenses
			)
		),
		contacts: report.contacts.map( ( c ) => `${ c.role }: ${ c.contact }` ),
	};
}

/** The result of a retention run, for the snackbar. */
export function retentionRunText( anonymised: number ): string {
	if ( anonymised === 0 ) {
		return __( 'Retention ran: no comment was old enough to anonymise.', 'batchkeys' );
	}
	return sprintf(
		/* translators: %d: number of comments */
		_n( 'Retention ran: %d comment anonymised.', 'Retention ran: %d comments anonymised.', anonymised, 'batchkeys' ),
		anonymised
	);
}
