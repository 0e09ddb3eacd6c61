import { useCallback, useEffect, useState } from '@wordpress/element';
import { toApiError, type ApiError } from '../shared/api';
import { privacyApi } from './api';
import { readOverview } from './overview';
import type { AccountInfo, CommentRetention, Overview } from './types';

/** The inventory, comment settings and account, loaded once and patched by the sections. */
export function useOverview() {
	const [ overview, setOverview ] = useState< Overview | null >( null );
	const [ error, setError ] = useState< ApiError | null >( null );
	const [ isLoading, setLoading ] = useState( true );

	const reload = useCallback( async () => {
		setLoading( true );
		try {
			setOverview( readOverview( await privacyApi.overview() ) );
			setError( null );
		} catch ( e ) {
			setError( toApiError( e ) );
		} finally {
			setLoading( false );
		}
	}, [] );

	useEffect( () => {
		void reload();
	}, [ reload ] );

	const setComments = useCallback(
		( comments: CommentRetention ) => setOverview( ( o ) => ( o ? { ...o, comments } : o ) ),
		[]
	);
	const setAccount = useCallback(
		( account: AccountInfo ) => setOverview( ( o ) => ( o ? { ...o, account } : o ) ),
		[]
	);

	return { overview, error, isLoading, reload, setComments, setAccount };
}
