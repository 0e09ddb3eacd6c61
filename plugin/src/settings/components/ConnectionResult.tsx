import { Notice } from '@wordpress/components';
import { __ } from '@wordpress/i18n';
import type { ConnectionTest } from '../../shared/types';

/** The connection test's answer in words, announced to screen readers. */
export function ConnectionResult( { result }: { result: ConnectionTest } ) {
	return (
		<div role="status" aria-live="polite">
			<Notice status={ result.ok ? 'success' : 'error' } isDismissible={ false }>
				<strong>
					{ result.ok
						? __( 'Connected.', 'batchkeys' )
						: __( 'The connection does not work.', 'batchkeys' ) }
				</strong>{ ' ' }
				{ result.message }
			</Notice>
		</div>
	);
}
