import { Button } from '@wordpress/components';
import { DataViews, type View } from '@wordpress/dataviews/wp';
import { useCallback, useMemo, useState } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import { EmptyState } from '../../shared/components/EmptyState';
import { ErrorState } from '../../shared/components/ErrorState';
import type { Catalog } from '../../shared/use-catalog';
import { newKeyUrl } from '../../shared/urls';
import { normalizeView } from '../query';
import { useBulkActions } from '../use-bulk-actions';
import { useLicenses } from '../use-licenses';
import { licenseFields } from './license-fields';

const DEFAULT_VIEW: View = {
	type: 'table',
	search: '',
	filters: [],
	page: 1,
	perPage: 20,
	sort: { field: 'createdAt', direction: 'desc' },
	// The title field also names each row's selection checkbox for screen readers.
	titleField: 'licensee',
	fields: [ 'product', 'status', 'expiresAt', 'activations', 'tokens', 'createdAt' ],
	layout: {},
};

const DEFAULT_LAYOUTS = { table: {} };

export function KeysList( { catalog }: { catalog: Catalog } ) {
	const [ view, setView ] = useState< View >( DEFAULT_VIEW );
	const { items, isLoading, error, totalPages, reload } = useLicenses( view );
	const fields = useMemo(
		() => licenseFields( catalog.products ),
		[ catalog.products ]
	);
	const [ selection, setSelection ] = useState< string[] >( [] );
	// After a bulk action the rows change status: start the next selection afresh.
	const afterAction = useCallback( () => {
		setSelection( [] );
		reload();
	}, [ reload ] );
	const actions = useBulkActions( afterAction );
	const onChangeView = useCallback(
		( next: View ) => setView( ( previous ) => normalizeView( previous, next ) ),
		[]
	);

	const page = view.page ?? 1;
	const isFiltered = Boolean( view.search ) || ( view.filters ?? [] ).length > 0;
	if ( ! isLoading && ! error && items.length === 0 && ! isFiltered && page === 1 ) {
		return (
			<EmptyState
				title={ __( 'No license keys yet', 'batchkeys' ) }
				action={
					<Button variant="secondary" __next40pxDefaultSize href={ newKeyUrl() }>
						{ __( 'Create the first key', 'batchkeys' ) }
					</Button>
				}
			>
				{ catalog.products.length === 0
					? __( 'Start with a product under Products & policies, then create a key for it here.', 'batchkeys' )
					: __( 'Keys you create, or that your store issues, are listed here.', 'batchkeys' ) }
			</EmptyState>
		);
	}

	const perPage = view.perPage ?? 20;
	return (
		<>
			{ error && <ErrorState message={ error.message } onRetry={ reload } /> }
			<div className="batchkeys-dataviews">
				<DataViews< typeof items[ number ] >
					data={ items }
					fields={ fields }
					view={ view }
					onChangeView={ onChangeView }
					actions={ actions }
					selection={ selection }
					onChangeSelection={ setSelection }
					isLoading={ isLoading }
					search
					searchLabel={ __( 'Search keys', 'batchkeys' ) }
					defaultLayouts={ DEFAULT_LAYOUTS }
					paginationInfo={ {
						// The list has no total: count what can be opened so far.
						totalItems: items.length === 0 ? 0 : ( page - 1 ) * perPage + items.length + ( totalPages > page ? 1 : 0 ),
						totalPages,
					} }
				/>
			</div>
		</>
	);
}
