import { describe, expect, it } from 'vitest';
import {
	endOfDayUtc,
	formatActivations,
	formatDateTime,
	formatExpiry,
	formatTokens,
	licenseeLabel,
	parseCount,
	slugify,
	summariseBulk,
} from './format';

describe( 'formatting for the screens', () => {
	it( 'says "Never" for a key without expiry and formats a date in the given locale', () => {
		expect( formatExpiry( null ) ).toBe( 'Never' );
		expect( formatDateTime( '2027-03-31T23:59:59Z', '', 'en-GB' ) ).toMatch( /31 Mar 2027/ );
		expect( formatDateTime( 'not a date', 'x' ) ).toBe( 'not a date' );
	} );

	it( 'shows activations against the limit, or that there is none', () => {
		expect( formatActivations( 2, 3 ) ).toBe( '2 of 3' );
		expect( formatActivations( 2, null ) ).toBe( '2 (no limit)' );
	} );

	it( 'shows a token balance, or its absence', () => {
		expect( formatTokens( { remaining: 40, total: 50 } ) ).toBe( '40 of 50 left' );
		expect( formatTokens( null ) ).toBe( 'No token balance' );
	} );

	it( 'lists a key under its email, else its licensee name, else its id', () => {
		expect( licenseeLabel( { id: 'lic_1', email: 'a@b.c', name: 'A' } ) ).toBe( 'a@b.c' );
		expect( licenseeLabel( { id: 'lic_1', email: null, name: 'A' } ) ).toBe( 'A' );
		expect( licenseeLabel( { id: 'lic_1', email: null, name: null } ) ).toBe( 'lic_1' );
	} );
} );

describe( 'reading form fields', () => {
	it( 'reads whole numbers, empty as none, and refuses the rest', () => {
		expect( parseCount( ' 12 ' ) ).toBe( 12 );
		expect( parseCount( '' ) ).toBeNull();
		for ( const bad of [ '-1', '1.5', '1e3', 'x', '2000000000' ] ) {
			expect( parseCount( bad ) ).toBeUndefined();
		}
	} );

	it( 'turns a date into the end of that day in UTC and refuses impossible dates', () => {
		expect( endOfDayUtc( '2028-02-29' ) ).toBe( '2028-02-29T23:59:59Z' );
		expect( endOfDayUtc( '' ) ).toBeNull();
		expect( endOfDayUtc( '2027-02-29' ) ).toBeUndefined();
		expect( endOfDayUtc( '31/03/2027' ) ).toBeUndefined();
	} );

	it( 'makes a slug from a product name', () => {
		expect( slugify( 'Gallery Pro' ) ).toBe( 'gallery-pro' );
		expect( slugify( '  Café — Déluxe 2! ' ) ).toBe( 'cafe-deluxe-2' );
		expect( slugify( 'a'.repeat( 70 ) ) ).toHaveLength( 64 );
	} );
} );

describe( 'the notice after a bulk action', () => {
	it( 'counts what was done', () => {
		expect( summariseBulk( 'suspend', { succeeded: 1, failed: [] } ) ).toBe( 'Suspended 1 key.' );
		expect( summariseBulk( 'revoke', { succeeded: 3, failed: [] } ) ).toBe( 'Revoked 3 keys.' );
	} );

	it( 'adds how many failed and why the first one did', () => {
		expect(
			summariseBulk( 'suspend', {
				succeeded: 2,
				failed: [ { label: 'bo@example.com', message: 'This license is revoked.' } ],
			} )
		).toBe( 'Suspended 2 keys. 1 failed (bo@example.com: This license is revoked.).' );
		expect(
			summariseBulk( 'revoke', {
				succeeded: 0,
				failed: [
					{ label: 'a@b.c', message: 'Gone.' },
					{ label: 'd@e.f', message: 'Gone.' },
				],
			} )
		).toBe( '2 failed; the first was a@b.c: Gone.' );
	} );
} );
