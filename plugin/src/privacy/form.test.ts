import { describe, expect, it } from 'vitest';
import { buildBreach, buildRequest, buildRetention, dayStartUtc, emptyBreach, isoToLocal, localToIso, retentionFields } from './form';
import { readOverview } from './overview';

const NOW = Date.parse( '2026-11-27T12:00:00Z' );

describe( 'the retention form', () => {
	it( 'sends whole days and the two switches', () => {
		const { body, errors } = buildRetention( { retentionDays: ' 30 ', storeIp: false, storeUserAgent: true } );
		expect( errors ).toEqual( {} );
		expect( body ).toEqual( { retentionDays: 30, storeIp: false, storeUserAgent: true } );
		expect( buildRetention( { retentionDays: '', storeIp: true, storeUserAgent: true } ).body.retentionDays ).toBe( 0 );
	} );

	it( 'refuses negative, fractional and absurd periods', () => {
		for ( const bad of [ '-1', '1.5', 'x', '3651' ] ) {
			expect( Object.keys( buildRetention( { retentionDays: bad, storeIp: true, storeUserAgent: true } ).errors ) ).toEqual( [ 'retentionDays' ] );
		}
	} );

	it( 'starts from the saved settings', () => {
		expect( retentionFields( { retentionDays: 7, storeIp: true, storeUserAgent: false, lastRun: null, anonymisedTotal: 0 } ) ).toEqual( {
			retentionDays: '7',
			storeIp: true,
			storeUserAgent: false,
		} );
	} );
} );

describe( 'the data-subject request form', () => {
	it( 'records an email request received on a day, at midnight UTC', () => {
		const { body, errors } = buildRequest( { kind: 'erase', email: ' Ana@Example.com ', receivedOn: '2026-10-18' }, NOW );
		expect( errors ).toEqual( {} );
		expect( body ).toEqual( { kind: 'erase', subject: { kind: 'email', value: 'ana@example.com' }, receivedAt: '2026-10-18T00:00:00Z' } );
	} );

	it( 'refuses a missing email, an impossible date and a date in the future', () => {
		expect( Object.keys( buildRequest( { kind: 'access', email: 'ana', receivedOn: '2026-02-30' }, NOW ).errors ).sort() ).toEqual( [ 'email', 'receivedOn' ] );
		expect( buildRequest( { kind: 'access', email: 'a@b.co', receivedOn: '2026-11-28' }, NOW ).errors.receivedOn ).toMatch( /future/ );
		expect( buildRequest( { kind: 'access', email: 'a@b.co', receivedOn: '2026-11-27' }, NOW ).errors ).toEqual( {} );
		expect( dayStartUtc( '27/11/2026' ) ).toBeNull();
	} );
} );

describe( 'the breach form', () => {
	it( 'turns the local date-times into UTC and keeps the optional filters', () => {
		const from = '2026-11-26T08:30';
		const to = '2026-11-27T08:30';
		const { body, errors } = buildBreach( { from, to, awareAt: '', token: ' tok_01ABC ', ip: '203.0.113.9' } );
		expect( errors ).toEqual( {} );
		expect( body ).toEqual( {
			from: new Date( from ).toISOString().replace( '.000Z', 'Z' ),
			to: new Date( to ).toISOString().replace( '.000Z', 'Z' ),
			token: 'tok_01ABC',
			ip: '203.0.113.9',
		} );
		expect( localToIso( isoToLocal( NOW ) ) ).toBe( '2026-11-27T12:00:00Z' );
	} );

	it( 'refuses an empty or backwards window and malformed filters', () => {
		expect( Object.keys( buildBreach( { from: '', to: '', awareAt: '', token: '', ip: '' } ).errors ).sort() ).toEqual( [ 'from', 'to' ] );
		expect( buildBreach( { from: '2026-11-27T08:30', to: '2026-11-26T08:30', awareAt: '', token: '', ip: '' } ).errors.to ).toMatch( /after the start/ );
		const { errors } = buildBreach( { from: '2026-11-26T08:30', to: '2026-11-27T08:30', awareAt: 'soon', token: 'tok 1', ip: 'not an ip' } );
		expect( Object.keys( errors ).sort() ).toEqual( [ 'awareAt', 'ip', 'token' ] );
	} );

	it( 'starts on the last 24 hours, up to the end of the current minute', () => {
		const f = emptyBreach( NOW + 20_000 );
		expect( localToIso( f.from ) ).toBe( '2026-11-26T12:00:00Z' );
		expect( localToIso( f.to ) ).toBe( '2026-11-27T12:01:00Z' );
	} );
} );

describe( 'reading the overview', () => {
	it( 'reads the server facts, the comment settings and the account', () => {
		const o = readOverview( {
			inventory: {
				requestLog: { enabled: true, fields: [ 'time', 'client IP address' ] },
				ipAnonymisation: { afterDays: 30, ipv4PrefixBits: 24, ipv6PrefixBits: 64, appliesTo: [ 'request log' ] },
				retention: { requestLogDays: 90, ipDays: 30, auditDays: 365, deactivatedActivationDays: null, expiredLicenseDays: 0 },
				purge: { automatic: true, intervalMinutes: 60 },
				subprocessors: [ { name: 'Hetzner', purpose: 'hosting', location: 'Germany' }, { purpose: 'nameless' } ],
				comments: { retentionDays: 14, storeIp: false, storeUserAgent: true, lastRun: null, anonymisedTotal: 3 },
			},
			policyUrl: 'http://x/wp-admin/options-general.php?page=privacy&tab=policyguide',
			account: { id: 'acc_1', name: 'Shop', operator: true, apiSuspendedAt: null },
		} );
		expect( o.server?.retention ).toEqual( { requestLogDays: 90, ipDays: 30, auditDays: 365, deactivatedActivationDays: null, expiredLicenseDays: null } );
		expect( o.server?.subprocessors ).toEqual( [ { name: 'Hetzner', purpose: 'hosting', location: 'Germany' } ] );
		expect( o.server?.purge ).toEqual( { automatic: true, intervalMinutes: 60 } );
		expect( o.comments ).toEqual( { retentionDays: 14, storeIp: false, storeUserAgent: true, lastRun: null, anonymisedTotal: 3 } );
		expect( o.account ).toEqual( { id: 'acc_1', name: 'Shop', operator: true, apiSuspendedAt: null } );
		expect( o.policyUrl ).toMatch( /policyguide/ );
	} );

	it( 'degrades to "not known" when the server part is missing or malformed', () => {
		const o = readOverview( { inventory: { comments: { retentionDays: -3 } } } );
		expect( o.server ).toBeNull();
		expect( o.account ).toBeNull();
		expect( o.comments ).toEqual( { retentionDays: 0, storeIp: true, storeUserAgent: true, lastRun: null, anonymisedTotal: 0 } );
		expect( readOverview( 'nonsense' ).server ).toBeNull();
	} );
} );
