import { useCallback, useState } from '@wordpress/element';
import { api, type LicenseInput } from '../shared/api';
import type { License } from '../shared/types';
import { useNotify } from '../shared/use-notify';

/** Creates a key; the plain key is kept only in this state, shown once. */
export function useCreateLicense() {
	const notify = useNotify();
	const [ created, setCreated ] = useState< { key: string; license: License } | null >( null );
	const [ isSaving, setSaving ] = useState( false );

	const create = useCallback(
		async ( input: LicenseInput ) => {
			setSaving( true );
			try {
				setCreated( await api.createLicense( input ) );
			} catch ( e ) {
				notify.error( e );
			} finally {
				setSaving( false );
			}
		},
		[ notify ]
	);

	const reset = useCallback( () => setCreated( null ), [] );
	return { created, isSaving, create, reset };
}
