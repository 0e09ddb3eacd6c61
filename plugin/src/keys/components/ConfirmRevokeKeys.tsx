import { Button } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __, _n, sprintf } from '@wordpress/i18n';

/** The bulk revoke's confirmation: revocation is final, so it is said before it is done. */
export function ConfirmRevokeKeys( {
	count,
	onConfirm,
	onClose,
}: {
	count: number;
	onConfirm: () => Promise< void >;
	onClose?: () => void;
} ) {
	const [ busy, setBusy ] = useState( false );
	return (
		<div className="batchkeys-confirm">
			<p>
				{ sprintf(
					/* translators: %d: number of keys */
					_n(
						'Revoke %d key? Revocation is final: the key stops working everywhere and cannot be reinstated.',
						'Revoke %d keys? Revocation is final: the keys stop working everywhere and cannot be reinstated.',
						count,
						'batchkeys'
					),
					count
				) }
			</p>
			<div className="batchkeys-actions">
				<Button variant="tertiary" __next40pxDefaultSize onClick={ onClose } disabled={ busy }>
					{ __( 'Cancel', 'batchkeys' ) }
				</Button>
				<Button
					variant="primary"
					isDestructive
					__next40pxDefaultSize
					isBusy={ busy }
					disabled={ busy }
					onClick={ () => {
						setBusy( true );
						void onConfirm().finally( () => {
							setBusy( false );
							onClose?.();
						} );
					} }
				>
					{ __( 'Revoke', 'batchkeys' ) }
				</Button>
			</div>
		</div>
	);
}
