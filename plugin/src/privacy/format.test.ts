import { describe, expect, it } from 'vitest';
import { countLines, daysUntil, dueText, formatDay, formatDays, isOverdue, retentionRunText, summariseBreach } from './format';
import type { BreachReport } from './types';

const DAY = 86_400_000;
const NOW = Date.parse( '2026-11-27T12:00:00Z' );

describe( 'overdue data-subject requests', () => {
	it( 'marks an open request past its due date, and nothing else', () => {
		expect( isOverdue( { status: 'open', dueAt: new Date( NOW - 1000 ).toISOString() }, NOW ) ).toBe( true );
		expect( isOverdue( { status: 'open', dueAt: new Date( NOW + 1000 ).toISOString() }, NOW ) ).toBe( false );
		expect( isOverdue( { status: 'completed', dueAt: new Date( NOW - 10 * DAY ).toISOString() }, NOW ) ).toBe( false );
		expect( isOverdue( { status: 'open', dueAt: 'not a date' }, NOW ) ).toBe( false );
	} );

	it( 'shows the received and due days as calendar days', () => {
		expect( formatDay( '2026-10-18T00:00:00.000Z', 'en-GB' ) ).toBe( '18 Oct 2026' );
		expect( formatDay( 'x' ) ).toBe( 'x' );
	} );

	it( 'counts the days left or late', () => {
		expect( daysUntil( new Date( NOW + 3.5 * DAY ).toISOString(), NOW ) ).toBe( 3 );
		expect( daysUntil( new Date( NOW - 0.5 * DAY ).toISOString(), NOW ) ).toBe( -1 );
		expect( daysUntil( new Date( NOW - 10 * DAY ).toISOString(), NOW ) ).toBe( -10 );
		expect( daysUntil( new Date( NOW - 10.6 * DAY ).toISOString(), NOW ) ).toBe( -10 );
		expect( dueText( { status: 'open', dueAt: new Date( NOW + 0.3 * DAY ).toISOString() }, NOW, 'en-GB' ) ).toMatch( /\(due today\)$/ );
		// Received 40 days ago, due 30 days after receipt: 10 days late.
		const received = NOW - 40 * DAY;
		expect( dueText( { status: 'open', dueAt: new Date( received + 30 * DAY ).toISOString() }, NOW, 'en-GB' ) ).toMatch( /\(10 days late\)$/ );
		expect( dueText( { status: 'open', dueAt: new Date( NOW + 1.2 * DAY ).toISOString() }, NOW, 'en-GB' ) ).toMatch( /\(1 day left\)$/ );
		expect( dueText( { status: 'completed', dueAt: new Date( NOW - DAY ).toISOString() }, NOW, 'en-GB' ) ).not.toMatch( /late|left/ );
	} );
} );

describe( 'retention wording', () => {
	it( 'says days or what happens without a period', () => {
		expect( formatDays( 1, 'Until erased' ) ).toBe( '1 day' );
		expect( formatDays( 90, 'Until erased' ) ).toBe( '90 days' );
		expect( formatDays( null, 'Until erased' ) ).toBe( 'Until erased' );
	} );

	it( 'reports a retention run', () => {
		expect( retentionRunText( 0 ) ).toMatch( /no comment/ );
		expect( retentionRunText( 1 ) ).toBe( 'Retention ran: 1 comment anonymised.' );
		expect( retentionRunText( 12 ) ).toBe( 'Retention ran: 12 comments anonymised.' );
	} );
} );

const report = ( over: Partial< BreachReport > = {} ): BreachReport => ( {
	window: { from: '2026-11-26T00:00:00.000Z', to: '2026-11-27T00:00:00.000Z' },
	filters: { token: 'tok_1', account: null, ip: null },
	awareAt: '2026-11-27T10:00:00.000Z',
	notifyBy: '2026-11-30T10:00:00.000Z',
	hoursLeft: 70,
	admin: {
		entries: 5,
		byActor: { tok_1: 4, tok_2: 1 },
		read: { 'GET /v1/admin/licenses': 2, 'GET /v1/admin/licenses/:id/key': 1 },
		changed: { 'POST /v1/admin/licenses': 1 },
		keysRevealed: [ 'lic_A' ],
		bulkReads: 2,
	},
	publicApi: { requests: 0, byAction: {}, note: 'The public license API returns license state only, never personal data.' },
	accounts: [ { id: 'acc_1', name: 'Shop', apiSuspended: true } ],
	dataSubjects: { licensees: 3, licenses: 4 },
	contacts: [ { role: 'controller (privacy contact)', contact: 'privacy@example.com' } ],
	...over,
} );

describe( 'the breach report read out', () => {
	it( 'leads with the deadline and the hours left', () => {
		const s = summariseBreach( report(), 'en-GB' );
		expect( s.deadline ).toMatch( /30 Nov 2026/ );
		expect( s.hoursLeft ).toBe( '70 hours left.' );
		expect( s.late ).toBe( false );
		const late = summariseBreach( report( { hoursLeft: -5 } ), 'en-GB' );
		expect( late.late ).toBe( true );
		expect( late.hoursLeft ).toBe( 'The deadline passed 5 hours ago.' );
		expect( summariseBreach( report( { hoursLeft: 1 } ) ).hoursLeft ).toBe( '1 hour left.' );
	} );

	it( 'says what was read and changed by whom, largest first', () => {
		const s = summariseBreach( report(), 'en-GB' );
		expect( s.byActor ).toEqual( [ 'tok_1: 4', 'tok_2: 1' ] );
		expect( s.read ).toEqual( [ 'GET /v1/admin/licenses: 2', 'GET /v1/admin/licenses/:id/key: 1' ] );
		expect( s.changed ).toEqual( [ 'POST /v1/admin/licenses: 1' ] );
		expect( s.entries ).toBe( '5 admin API actions in the window.' );
		expect( s.bulkReads ).toMatch( /^2 bulk reads/ );
		expect( s.filters ).toEqual( [ 'Token: tok_1' ] );
	} );

	it( 'names the keys revealed, the accounts, the people concerned and whom to contact', () => {
		const s = summariseBreach( report(), 'en-GB' );
		expect( s.keysRevealed ).toBe( '1 license key was revealed.' );
		expect( s.revealedLicenses ).toEqual( [ 'lic_A' ] );
		expect( s.accounts ).toEqual( [ 'Shop (acc_1) — API access shut down' ] );
		expect( s.dataSubjects ).toBe( '3 data subjects (licensees) concerning 4 licenses.' );
		expect( s.contacts ).toEqual( [ 'controller (privacy contact): privacy@example.com' ] );
		const quiet = summariseBreach(
			report( {
				admin: { entries: 1, byActor: {}, read: {}, changed: {}, keysRevealed: [], bulkReads: 0 },
				dataSubjects: { licensees: 1, licenses: 1 },
				accounts: [ { id: 'acc_2', name: null, apiSuspended: false } ],
			} )
		);
		expect( quiet.keysRevealed ).toBe( 'No license key was revealed.' );
		expect( quiet.entries ).toBe( '1 admin API action in the window.' );
		expect( quiet.dataSubjects ).toBe( '1 data subject (licensee) concerning 1 license.' );
		expect( quiet.accounts ).toEqual( [ 'acc_2' ] );
	} );

	it( 'sorts ties by name', () => {
		expect( countLines( { b: 1, a: 1, c: 2 } ) ).toEqual( [ 'c: 2', 'a: 1', 'b: 1' ] );
	} );
} );
