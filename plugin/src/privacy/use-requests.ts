import { useCallback, useEffect, useState } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import { toApiError, type ApiError } from '../shared/api';
import { useNotify } from '../shared/use-notify';
import { privacyApi } from './api';
import type { SubjectRequest, SubjectRequestInput } from './types';

/** The data-subject requests (first page and more on demand), recording and completing them. */
export function useSubjectRequests( enabled: boolean ) {
	const notify = useNotify();
	const [ items, setItems ] = useState< SubjectRequest[] >( [] );
	const [ nextCursor, setNextCursor ] = useState< string | null >( null );
	const [ isLoading, setLoading ] = useState( enabled );
	const [ error, setError ] = useState< ApiError | null >( null );
	const [ isSaving, setSaving ] = useState( false );
	const [ completing, setCompleting ] = useState< string | null >( null );

	const reload = useCallback( async () => {
		setLoading( true );
		try {
			const page = await privacyApi.listRequests();
			setItems( page.items );
			setNextCursor( page.nextCursor );
			setError( null );
		} catch ( e ) {
			setError( toApiError( e ) );
		} finally {
			setLoading( false );
		}
	}, [] );

	useEffect( () => {
		if ( enabled ) {
			void reload();
		}
	}, [ enabled, reload ] );

	const loadMore = useCallback( async () => {
		if ( nextCursor === null ) {
			return;
		}
		setLoading( true );
		try {
			const page = await privacyApi.listRequests( { cursor: nextCursor } );
			setItems( ( list ) => [ ...list, ...page.items ] );
			setNextCursor( page.nextCursor );
		} catch ( e ) {
			notify.error( e );
		} finally {
			setLoading( false );
		}
	}, [ nextCursor, notify ] );

	const create = useCallback(
		async ( input: SubjectRequestInput ): Promise< boolean > => {
			setSaving( true );
			try {
				const { request } = await privacyApi.createRequest( input );
				setItems( ( list ) => [ request, ...list.filter( ( r ) => r.id !== request.id ) ] );
				notify.success( __( 'Request recorded.', 'batchkeys' ) );
				return true;
			} catch ( e ) {
				notify.error( e );
				return false;
			} finally {
				setSaving( false );
			}
		},
		[ notify ]
	);

	const complete = useCallback(
		async ( item: SubjectRequest ) => {
			setCompleting( item.id );
			try {
				// Access, export and erasure are carried out by the server; a rectification is done
				// by the site owner (in the key's details), so the completion only records it.
				const body =
					item.kind === 'rectify'
						? { artefact: { recordedBy: 'wordpress', note: 'Rectified by the site owner.' } }
						: {};
				const { request } = await privacyApi.completeRequest( item.id, body );
				setItems( ( list ) => list.map( ( r ) => ( r.id === request.id ? request : r ) ) );
				notify.success( __( 'Request completed.', 'batchkeys' ) );
			} catch ( e ) {
				notify.error( e );
			} finally {
				setCompleting( null );
			}
		},
		[ notify ]
	);

	return { items, nextCursor, isLoading, error, reload, loadMore, isSaving, create, completing, complete };
}
