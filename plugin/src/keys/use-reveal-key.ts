import { useCallback, useState } from '@wordpress/element';
import { api } from '../shared/api';
import { useNotify } from '../shared/use-notify';

/** The key in plain text, fetched only when asked for and forgotten when hidden. */
export function useRevealKey( licenseId: string ) {
	const notify = useNotify();
	const [ key, setKey ] = useState< string | null >( null );
	const [ isLoading, setLoading ] = useState( false );

	const reveal = useCallback( async () => {
		setLoading( true );
		try {
			setKey( ( await api.revealKey( licenseId ) ).key );
		} catch ( e ) {
			notify.error( e );
		} finally {
			setLoading( false );
		}
	}, [ licenseId, notify ] );

	const hide = useCallback( () => setKey( null ), [] );
	return { key, isLoading, reveal, hide };
}
