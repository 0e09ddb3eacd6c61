import { useCallback, useEffect, useState } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import { api, toApiError, type ApiError, type LicenseAction, type LicensePatch } from '../shared/api';
import type { Activation, License } from '../shared/types';
import { useNotify } from '../shared/use-notify';

export interface LicenseDetail {
	license: License | null;
	activations: Activation[];
	isLoading: boolean;
	error: ApiError | null;
	/** The action being sent, to show it busy. */
	pending: string | null;
	reload: () => Promise< void >;
	act: (
		action: LicenseAction,
		body?: Record< string, unknown >
	) => Promise< boolean >;
	deactivate: ( activation: Activation ) => Promise< void >;
	update: ( patch: LicensePatch ) => Promise< boolean >;
}

const done: Record< LicenseAction, () => string > = {
	suspend: () => __( 'Key suspended.', 'batchkeys' ),
	reinstate: () => __( 'Key reinstated.', 'batchkeys' ),
	revoke: () => __( 'Key revoked.', 'batchkeys' ),
	renew: () => __( 'Key renewed.', 'batchkeys' ),
	'reset-activations': () => __( 'All activations removed.', 'batchkeys' ),
	'add-tokens': () => __( 'Tokens added.', 'batchkeys' ),
};

/** A license with its activations, and what can be done to it. */
export function useLicense( licenseId: string ): LicenseDetail {
	const notify = useNotify();
	const [ license, setLicense ] = useState< License | null >( null );
	const [ activations, setActivations ] = useState< Activation[] >( [] );
	const [ isLoading, setLoading ] = useState( true );
	const [ error, setError ] = useState< ApiError | null >( null );
	const [ pending, setPending ] = useState< string | null >( null );

	const loadActivations = useCallback( async () => {
		setActivations( ( await api.listActivations( licenseId ) ).items );
	}, [ licenseId ] );

	const reload = useCallback( async () => {
		setLoading( true );
		try {
			const [ l ] = await Promise.all( [
				api.getLicense( licenseId ),
				loadActivations(),
			] );
			setLicense( l.license );
			setError( null );
		} catch ( e ) {
			setError( toApiError( e ) );
		} finally {
			setLoading( false );
		}
	}, [ licenseId, loadActivations ] );

	useEffect( () => {
		void reload();
	}, [ reload ] );

	const act = useCallback(
		async ( action: LicenseAction, body: Record< string, unknown > = {} ) => {
			setPending( action );
			try {
				const result = await api.licenseAction( licenseId, action, body );
				setLicense( result.license );
				if ( action === 'reset-activations' ) {
					await loadActivations();
				}
				notify.success( done[ action ]() );
				return true;
			} catch ( e ) {
				notify.error( e );
				return false;
			} finally {
				setPending( null );
			}
		},
		[ licenseId, loadActivations, notify ]
	);

	const deactivate = useCallback(
		async ( activation: Activation ) => {
			setPending( `deactivate:${ activation.id }` );
			try {
				await api.deactivate( activation.id );
				notify.success( __( 'Activation removed.', 'batchkeys' ) );
				// The license's activation count changed with it.
				const [ l ] = await Promise.all( [
					api.getLicense( licenseId ),
					loadActivations(),
				] );
				setLicense( l.license );
			} catch ( e ) {
				notify.error( e );
			} finally {
				setPending( null );
			}
		},
		[ licenseId, loadActivations, notify ]
	);

	const update = useCallback(
		async ( patch: LicensePatch ) => {
			setPending( 'update' );
			try {
				setLicense( ( await api.updateLicense( licenseId, patch ) ).license );
				notify.success( __( 'Key details saved.', 'batchkeys' ) );
				return true;
			} catch ( e ) {
				notify.error( e );
				return false;
			} finally {
				setPending( null );
			}
		},
		[ licenseId, notify ]
	);

	return { license, activations, isLoading, error, pending, reload, act, deactivate, update };
}
