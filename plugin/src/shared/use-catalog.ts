import { useCallback, useEffect, useState } from '@wordpress/element';
import { api, toApiError, type ApiError } from './api';
import { getBoot } from './boot';
import type { Policy, Product } from './types';

export interface Catalog {
	products: Product[];
	policies: Policy[];
	isLoading: boolean;
	error: ApiError | null;
	reload: () => Promise< void >;
}

/** Products and policies, loaded together: the keys screens and the catalogue screen need both. */
export function useCatalog(): Catalog {
	const [ products, setProducts ] = useState< Product[] >( [] );
	const [ policies, setPolicies ] = useState< Policy[] >( [] );
	const [ isLoading, setLoading ] = useState( getBoot().connected );
	const [ error, setError ] = useState< ApiError | null >( null );

	const reload = useCallback( async () => {
		setLoading( true );
		try {
			const [ p, q ] = await Promise.all( [
				api.listProducts(),
				api.listPolicies(),
			] );
			setProducts( p.items );
			setPolicies( q.items );
			setError( null );
		} catch ( e ) {
			setError( toApiError( e ) );
		} finally {
			setLoading( false );
		}
	}, [] );

	useEffect( () => {
		if ( getBoot().connected ) {
			void reload();
		}
	}, [ reload ] );

	return { products, policies, isLoading, error, reload };
}
