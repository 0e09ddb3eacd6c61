import type { Action } from '@wordpress/dataviews/wp';
import { useMemo } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import { cancelCircleFilled, notAllowed } from '@wordpress/icons';
import { api } from '../shared/api';
import { summariseBulk } from '../shared/format';
import type { License } from '../shared/types';
import { useNotify, type Notify } from '../shared/use-notify';
import { runEach } from './bulk';
import { ConfirmRevokeKeys } from './components/ConfirmRevokeKeys';

async function run(
	action: 'suspend' | 'revoke',
	items: License[],
	notify: Notify,
	onDone: () => void
) {
	const outcome = await runEach( items, ( license ) =>
		api.licenseAction( license.id, action )
	);
	const message = summariseBulk( action, outcome );
	if ( outcome.failed.length > 0 ) {
		notify.error( new Error( message ) );
	} else {
		notify.success( message );
	}
	onDone();
}

/** Suspend and revoke, for one key or many: one call per key, one notice for the lot. */
export function useBulkActions( onDone: () => void ): Action< License >[] {
	const notify = useNotify();
	return useMemo(
		(): Action< License >[] => [
			{
				id: 'suspend',
				label: __( 'Suspend', 'batchkeys' ),
				// DataViews shows a bulk action in the selection bar only when it has an icon.
				icon: notAllowed,
				supportsBulk: true,
				isEligible: ( license ) =>
					license.status === 'active' || license.status === 'expired',
				callback: ( items ) => {
					void run( 'suspend', items, notify, onDone );
				},
			},
			{
				id: 'revoke',
				label: __( 'Revoke', 'batchkeys' ),
				icon: cancelCircleFilled,
				isDestructive: true,
				supportsBulk: true,
				modalHeader: __( 'Revoke keys', 'batchkeys' ),
				isEligible: ( license ) => license.status !== 'revoked',
				RenderModal: ( { items, closeModal } ) => (
					<ConfirmRevokeKeys
						count={ items.length }
						onConfirm={ () => run( 'revoke', items, notify, onDone ) }
						{ ...( closeModal ? { onClose: closeModal } : {} ) }
					/>
				),
			},
		],
		[ notify, onDone ]
	);
}

