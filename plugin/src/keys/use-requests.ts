import { useCallback, useEffect, useState } from '@wordpress/element';
import { api, toApiError, type ApiError } from '../shared/api';
import type { RequestEntry } from '../shared/types';

export interface RecentRequests {
	items: RequestEntry[];
	isLoading: boolean;
	error: ApiError | null;
	reload: () => void;
}

/** The latest license-API requests made with one key. */
export function useRequests( licenseId: string, limit = 20 ): RecentRequests {
	const [ items, setItems ] = useState< RequestEntry[] >( [] );
	const [ isLoading, setLoading ] = useState( true );
	const [ error, setError ] = useState< ApiError | null >( null );
	const [ tick, setTick ] = useState( 0 );

	useEffect( () => {
		let cancelled = false;
		setLoading( true );
		api.listRequests( licenseId, limit ).then(
			( page ) => {
				if ( ! cancelled ) {
					setItems( page.items );
					setError( null );
					setLoading( false );
				}
			},
			( e: unknown ) => {
				if ( ! cancelled ) {
					setItems( [] );
					setError( toApiError( e ) );
					setLoading( false );
				}
			}
		);
		return () => {
			cancelled = true;
		};
	}, [ licenseId, limit, tick ] );

	const reload = useCallback( () => setTick( ( t ) => t + 1 ), [] );
	return { items, isLoading, error, reload };
}
