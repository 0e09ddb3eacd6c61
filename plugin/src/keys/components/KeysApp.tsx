import { Button } from '@wordpress/components';
import { __ } from '@wordpress/i18n';
import { NotConnectedNotice } from '../../shared/components/NotConnectedNotice';
import { ErrorState } from '../../shared/components/ErrorState';
import { Screen } from '../../shared/components/Screen';
import { getBoot } from '../../shared/boot';
import { useCatalog } from '../../shared/use-catalog';
import { newKeyUrl } from '../../shared/urls';
import type { KeysRoute } from '../types';
import { CreateKey } from './CreateKey';
import { KeyDetail } from './KeyDetail';
import { KeysList } from './KeysList';

/** The Keys page: the list, one key, or the create form, as the URL says. */
export function KeysApp( { route }: { route: KeysRoute } ) {
	const catalog = useCatalog();
	if ( ! getBoot().connected ) {
		return (
			<Screen title={ __( 'License keys', 'batchkeys' ) }>
				<NotConnectedNotice />
			</Screen>
		);
	}
	const catalogError = catalog.error && (
		<ErrorState message={ catalog.error.message } onRetry={ () => void catalog.reload() } />
	);
	switch ( route.name ) {
		case 'detail':
			// Without the catalogue the page still works: it names the product by its slug.
			return <KeyDetail licenseId={ route.licenseId } catalog={ catalog } />;
		case 'new':
			return <CreateKey catalog={ catalog } />;
		case 'list':
			return (
				<Screen
					title={ __( 'License keys', 'batchkeys' ) }
					actions={
						<Button variant="secondary" size="compact" href={ newKeyUrl() }>
							{ __( 'Add key', 'batchkeys' ) }
						</Button>
					}
				>
					{ catalogError }
					<KeysList catalog={ catalog } />
				</Screen>
			);
	}
}
