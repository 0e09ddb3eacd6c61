import { addQueryArgs } from '@wordpress/url';
import { getBoot } from './boot';

export type AdminPage = 'batchkeys' | 'batchkeys-products' | 'batchkeys-settings';

/** A wp-admin URL of one of the plugin's pages. */
export function pageUrl(
	page: AdminPage,
	args: Record< string, string > = {}
): string {
	return addQueryArgs( getBoot().adminUrl, { page, ...args } );
}

export const keyUrl = ( id: string ): string =>
	pageUrl( 'batchkeys', { license: id } );
export const newKeyUrl = (): string => pageUrl( 'batchkeys', { view: 'new' } );
export const settingsUrl = (): string => pageUrl( 'batchkeys-settings' );
