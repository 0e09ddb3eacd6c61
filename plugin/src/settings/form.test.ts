import { describe, expect, it } from 'vitest';
import { buildSettings, parseHostPatterns } from './form';

const fields = { serverUrl: 'https://keys.example.com/', token: '', devHosts: '', cacheLifetime: '3600' };

describe( 'the settings form', () => {
	it( 'keeps the saved token when the field is left empty', () => {
		const { body, errors } = buildSettings( fields );
		expect( errors ).toEqual( {} );
		expect( body ).toEqual( { serverUrl: 'https://keys.example.com', devHosts: [], cacheLifetime: 3600 } );
		expect( 'token' in body ).toBe( false );
	} );

	it( 'sends a new token, trimmed', () => {
		expect( buildSettings( { ...fields, token: ' bk_abc ' } ).body.token ).toBe( 'bk_abc' );
	} );

	it( 'reads host patterns one per line or comma, without repeats', () => {
		expect( parseHostPatterns( 'localhost\n*.test, STAGING.example.com\n\nlocalhost' ) ).toEqual( [ 'localhost', '*.test', 'staging.example.com' ] );
	} );

	it( 'refuses an address that is not http(s), a bad host pattern and a lifetime over a week', () => {
		const { errors } = buildSettings( { serverUrl: 'ftp://x', token: '', devHosts: 'bad host', cacheLifetime: '604801' } );
		expect( Object.keys( errors ).sort() ).toEqual( [ 'cacheLifetime', 'devHosts', 'serverUrl' ] );
	} );
} );
