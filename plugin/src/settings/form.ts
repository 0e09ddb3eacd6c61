import { __, sprintf } from '@wordpress/i18n';
import type { SettingsInput } from '../shared/api';
import { parseCount } from '../shared/format';
import type { Settings } from '../shared/types';
import type { SettingsFields } from './types';

export type SettingsErrors = Partial< Record< keyof SettingsFields, string > >;

export const settingsFields = ( s: Settings ): SettingsFields => ( {
	serverUrl: s.serverUrl,
	token: '',
	devHosts: s.devHosts.join( '\n' ),
	cacheLifetime: String( s.cacheLifetime ),
} );

/** Host patterns from the textarea: one per line or comma, trimmed, lower-cased, no repeats. */
export function parseHostPatterns( text: string ): string[] {
	const seen = new Set< string >();
	for ( const part of text.split( /[\n,]/ ) ) {
		const host = part.trim().toLowerCase();
		if ( host !== '' ) {
			seen.add( host );
		}
	}
	return [ ...seen ];
}

const HOST_PATTERN = /^(\*\.)?[a-z0-9*]([a-z0-9*-]*[a-z0-9*])?(\.[a-z0-9*]([a-z0-9*-]*[a-z0-9*])?)*$/;

export function buildSettings( f: SettingsFields ): { body: SettingsInput; errors: SettingsErrors } {
	const errors: SettingsErrors = {};
	const serverUrl = f.serverUrl.trim().replace( /\/+$/, '' );
	let url: URL | null = null;
	try {
		url = new URL( serverUrl );
	} catch {
		url = null;
	}
	if ( ! url || ( url.protocol !== 'http:' && url.protocol !== 'https:' ) ) {
		errors.serverUrl = __( 'Enter the server’s address, like https://licenses.example.com.', 'batchkeys' );
	}
	const devHosts = parseHostPatterns( f.devHosts );
	const bad = devHosts.find( ( h ) => ! HOST_PATTERN.test( h ) );
	if ( bad !== undefined ) {
		/* translators: %s: a host pattern */
		errors.devHosts = sprintf( __( 'This is not a host name or pattern: %s', 'batchkeys' ), bad );
	}
	const cacheLifetime = parseCount( f.cacheLifetime );
	if ( cacheLifetime === undefined || cacheLifetime === null || cacheLifetime > 604800 ) {
		errors.cacheLifetime = __( 'Enter a number of seconds from 0 to 604800 (a week).', 'batchkeys' );
	}
	const body: SettingsInput = { serverUrl, devHosts, cacheLifetime: cacheLifetime ?? 0 };
	const token = f.token.trim();
	if ( token !== '' ) {
		body.token = token;
	}
	return { body, errors };
}

