import { useCallback, useEffect, useMemo, useRef, useState } from '@wordpress/element';
import type { View } from '@wordpress/dataviews/wp';
import { api, toApiError, type ApiError } from '../shared/api';
import { getBoot } from '../shared/boot';
import type { License } from '../shared/types';
import {
	cursorForPage,
	pageCount,
	queryKey,
	recordPage,
	startTrail,
	viewToQuery,
	type CursorTrail,
} from './query';

export interface LicensesPage {
	items: License[];
	isLoading: boolean;
	error: ApiError | null;
	/** Pages that can be opened so far (visited ones and the next). */
	totalPages: number;
	reload: () => void;
}

/** One page of the keys list for a DataViews view, paging through the REST list's cursors. */
export function useLicenses( view: View ): LicensesPage {
	const query = useMemo( () => viewToQuery( view ), [ view ] );
	const key = queryKey( query );
	const page = view.page ?? 1;
	const trail = useRef< CursorTrail >( startTrail( key ) );
	const [ items, setItems ] = useState< License[] >( [] );
	const [ totalPages, setTotalPages ] = useState( 1 );
	const [ isLoading, setLoading ] = useState( getBoot().connected );
	const [ error, setError ] = useState< ApiError | null >( null );
	const [ tick, setTick ] = useState( 0 );

	useEffect( () => {
		if ( ! getBoot().connected ) {
			return;
		}
		if ( trail.current.key !== key ) {
			trail.current = startTrail( key );
		}
		// A page not reached yet (only possible through a stale view) falls back to the first.
		const wanted = cursorForPage( trail.current, page ) === undefined ? 1 : page;
		const cursor = cursorForPage( trail.current, wanted ) ?? undefined;
		let cancelled = false;
		setLoading( true );
		api.listLicenses( { ...query, cursor } ).then(
			( result ) => {
				if ( cancelled ) {
					return;
				}
				trail.current = recordPage( trail.current, wanted, result.nextCursor );
				setItems( result.items );
				setTotalPages( pageCount( trail.current ) );
				setError( null );
				setLoading( false );
			},
			( e: unknown ) => {
				if ( cancelled ) {
					return;
				}
				setItems( [] );
				setError( toApiError( e ) );
				setLoading( false );
			}
		);
		return () => {
			cancelled = true;
		};
		// `query` is derived from `key`: both change together.
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [ key, page, tick ] );

	const reload = useCallback( () => setTick( ( t ) => t + 1 ), [] );
	return { items, isLoading, error, totalPages, reload };
}
