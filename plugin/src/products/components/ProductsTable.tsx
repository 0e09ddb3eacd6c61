import { Button } from '@wordpress/components';
import { DataViews, type Action, type Field, type View } from '@wordpress/dataviews/wp';
import { useMemo } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import { pencil } from '@wordpress/icons';
import { EmptyState } from '../../shared/components/EmptyState';
import { formatDateTime } from '../../shared/format';
import type { Product } from '../../shared/types';
import { useLocalView } from '../../shared/use-local-view';

const INITIAL: View = {
	type: 'table',
	search: '',
	filters: [],
	page: 1,
	perPage: 20,
	sort: { field: 'name', direction: 'asc' },
	titleField: 'name',
	fields: [ 'slug', 'keyPrefix', 'createdAt' ],
	layout: {},
};

export function ProductsTable( {
	products,
	isLoading,
	onAdd,
	onEdit,
}: {
	products: Product[];
	isLoading: boolean;
	onAdd: () => void;
	onEdit: ( product: Product ) => void;
} ) {
	const fields = useMemo(
		(): Field< Product >[] => [
			{ id: 'name', label: __( 'Name', 'batchkeys' ), enableHiding: false, enableGlobalSearch: true },
			{
				id: 'slug',
				label: __( 'Slug', 'batchkeys' ),
				enableGlobalSearch: true,
				render: ( { item } ) => <code>{ item.slug }</code>,
			},
			{
				id: 'keyPrefix',
				label: __( 'Key prefix', 'batchkeys' ),
				getValue: ( { item } ) => item.keyPrefix ?? '',
				render: ( { item } ) =>
					item.keyPrefix ? <code>{ item.keyPrefix }</code> : <span className="batchkeys-muted">{ __( 'None', 'batchkeys' ) }</span>,
			},
			{
				id: 'createdAt',
				label: __( 'Created', 'batchkeys' ),
				type: 'datetime',
				render: ( { item } ) => <>{ formatDateTime( item.createdAt, '' ) }</>,
			},
		],
		[]
	);
	const actions = useMemo(
		(): Action< Product >[] => [
			{
				id: 'edit',
				label: __( 'Edit', 'batchkeys' ),
				icon: pencil,
				isPrimary: true,
				callback: ( [ product ] ) => product && onEdit( product ),
			},
		],
		[ onEdit ]
	);
	const { view, setView, shown, paginationInfo } = useLocalView( products, fields, INITIAL );

	if ( ! isLoading && products.length === 0 ) {
		return (
			<EmptyState
				title={ __( 'No products yet', 'batchkeys' ) }
				action={
					<Button variant="secondary" __next40pxDefaultSize onClick={ onAdd }>
						{ __( 'Create the first product', 'batchkeys' ) }
					</Button>
				}
			>
				{ __( 'A product is what you sell: each key belongs to one. Create one for each plugin, theme or app.', 'batchkeys' ) }
			</EmptyState>
		);
	}
	return (
		<div className="batchkeys-dataviews">
			<DataViews< Product >
				data={ shown }
				fields={ fields }
				view={ view }
				onChangeView={ setView }
				actions={ actions }
				isLoading={ isLoading }
				search
				searchLabel={ __( 'Search products', 'batchkeys' ) }
				defaultLayouts={ { table: {} } }
				paginationInfo={ paginationInfo }
			/>
		</div>
	);
}
