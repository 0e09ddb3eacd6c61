import { useCallback, useEffect, useState } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import { api, toApiError, type ApiError, type SettingsInput } from '../shared/api';
import type { ConnectionTest, Settings } from '../shared/types';
import { useNotify } from '../shared/use-notify';

/** The saved settings (never the token itself), saving them, and testing the connection. */
export function useSettings() {
	const notify = useNotify();
	const [ settings, setSettings ] = useState< Settings | null >( null );
	const [ loadError, setLoadError ] = useState< ApiError | null >( null );
	const [ isSaving, setSaving ] = useState( false );
	const [ isTesting, setTesting ] = useState( false );
	const [ test, setTest ] = useState< ConnectionTest | null >( null );

	const load = useCallback( async () => {
		try {
			setSettings( await api.getSettings() );
			setLoadError( null );
		} catch ( e ) {
			setLoadError( toApiError( e ) );
		}
	}, [] );

	useEffect( () => {
		void load();
	}, [ load ] );

	const save = useCallback(
		async ( input: SettingsInput ): Promise< boolean > => {
			setSaving( true );
			try {
				setSettings( await api.saveSettings( input ) );
				setTest( null );
				notify.success( __( 'Settings saved.', 'batchkeys' ) );
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

	const testConnection = useCallback( async ( input: { serverUrl?: string; token?: string } ) => {
		setTesting( true );
		try {
			setTest( await api.testConnection( input ) );
		} catch ( e ) {
			const error = toApiError( e );
			setTest( { ok: false, code: error.code, message: error.message } );
		} finally {
			setTesting( false );
		}
	}, [] );

	return { settings, loadError, reload: load, isSaving, save, isTesting, test, testConnection };
}
