import { useCallback, useState } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import { useNotify } from '../shared/use-notify';
import { privacyApi } from './api';
import type { AccountInfo } from './types';

/** Shutting down and reinstating the connected account's admin API access. */
export function useApiAccess( account: AccountInfo | null, onChange: ( account: AccountInfo ) => void ) {
	const notify = useNotify();
	const [ isBusy, setBusy ] = useState( false );

	const setSuspended = useCallback(
		async ( suspend: boolean ): Promise< boolean > => {
			setBusy( true );
			try {
				const answer = await privacyApi.setApiAccess( suspend );
				const at = answer.account?.apiSuspendedAt;
				const base: AccountInfo = account ?? {
					id: answer.account?.id ?? '',
					name: answer.account?.id ?? '',
					operator: true,
					apiSuspendedAt: null,
				};
				onChange( {
					...base,
					apiSuspendedAt: typeof at === 'string' ? at : suspend ? new Date().toISOString() : null,
				} );
				notify.success(
					suspend
						? __( 'API access is shut down.', 'batchkeys' )
						: __( 'API access is reinstated.', 'batchkeys' )
				);
				return true;
			} catch ( e ) {
				notify.error( e );
				return false;
			} finally {
				setBusy( false );
			}
		},
		[ account, notify, onChange ]
	);

	return { isBusy, setSuspended };
}
