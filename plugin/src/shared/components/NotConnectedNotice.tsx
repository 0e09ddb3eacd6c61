import { Button } from '@wordpress/components';
import { __ } from '@wordpress/i18n';
import { getBoot } from '../boot';
import { settingsUrl } from '../urls';
import { EmptyState } from './EmptyState';

/**
 * What the Keys and Products screens show while no connection is saved: the screen's empty
 * state, pointing to Settings (PHP adds the matching admin notice above the page).
 */
export function NotConnectedNotice() {
	if ( getBoot().connected ) {
		return null;
	}
	return (
		<EmptyState
			title={ __( 'Connect BatchKeys to your license server', 'batchkeys' ) }
			action={
				<Button variant="primary" __next40pxDefaultSize href={ settingsUrl() }>
					{ __( 'Open Settings', 'batchkeys' ) }
				</Button>
			}
		>
			{ __( 'Keys, products and policies live on your BatchKeys server. Enter its address and an admin token in Settings to manage them here.', 'batchkeys' ) }
		</EmptyState>
	);
}
