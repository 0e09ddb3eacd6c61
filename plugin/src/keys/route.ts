import type { KeysRoute } from './types';

/** admin.php?page=batchkeys[&license=<id>|&view=new] */
export function routeFromSearch( search: string ): KeysRoute {
	const params = new URLSearchParams( search );
	const license = params.get( 'license' );
	if ( license ) {
		return { name: 'detail', licenseId: license };
	}
	if ( params.get( 'view' ) === 'new' ) {
		return { name: 'new' };
	}
	return { name: 'list' };
}
