import { describe, expect, it } from 'vitest';
import { toApiError } from './api';
import { readBoot } from './boot';
import { cleanQuery } from './query-string';

describe( 'the boot data', () => {
	it( 'reads what PHP printed', () => {
		expect(
			readBoot( { connected: true, serverUrl: 'https://k.example', adminUrl: 'https://s.example/wp-admin/admin.php', canReveal: true } )
		).toEqual( { connected: true, serverUrl: 'https://k.example', adminUrl: 'https://s.example/wp-admin/admin.php', canReveal: true } );
	} );

	it( 'treats missing or malformed data as not connected', () => {
		for ( const raw of [ undefined, null, 'x', { connected: 'yes', canReveal: 1, serverUrl: 3 } ] ) {
			expect( readBoot( raw ) ).toEqual( { connected: false, serverUrl: '', adminUrl: 'admin.php', canReveal: false } );
		}
	} );
} );

describe( 'REST calls', () => {
	it( 'keeps a WP_Error’s code, words and status', () => {
		const e = toApiError( { code: 'LICENSE_NOT_FOUND', message: 'There is no license "x".', data: { status: 404 } } );
		expect( [ e.code, e.message, e.status ] ).toEqual( [ 'LICENSE_NOT_FOUND', 'There is no license "x".', 404 ] );
	} );

	it( 'still says something when the failure has no words', () => {
		const e = toApiError( 'boom' );
		expect( e.message ).toBe( 'The request failed.' );
		expect( e.status ).toBeNull();
	} );

	it( 'leaves empty query values out', () => {
		expect( cleanQuery( { q: '', status: undefined, cursor: null, limit: 20, all: false } ) ).toEqual( { limit: '20', all: 'false' } );
	} );
} );
