import { Button } from '@wordpress/components';
import { DataViews, type Action, type Field, type View } from '@wordpress/dataviews/wp';
import { useMemo } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import { pencil } from '@wordpress/icons';
import { EmptyState } from '../../shared/components/EmptyState';
import { formatDuration, formatLimit, lockLabel } from '../../shared/format';
import type { Lock, Policy, Product } from '../../shared/types';
import { useLocalView } from '../../shared/use-local-view';

const INITIAL: View = {
	type: 'table',
	search: '',
	filters: [],
	page: 1,
	perPage: 20,
	sort: { field: 'name', direction: 'asc' },
	titleField: 'name',
	fields: [ 'product', 'durationDays', 'lock', 'maxActivations', 'tokens' ],
	layout: {},
};

const LOCKS: Lock[] = [ 'none', 'domain', 'device' ];

export function PoliciesTable( {
	policies,
	products,
	isLoading,
	onAdd,
	onEdit,
}: {
	policies: Policy[];
	products: Product[];
	isLoading: boolean;
	onAdd: () => void;
	onEdit: ( policy: Policy ) => void;
} ) {
	const fields = useMemo( (): Field< Policy >[] => {
		const productName = new Map( products.map( ( p ) => [ p.id, p.name ] ) );
		return [
			{ id: 'name', label: __( 'Name', 'batchkeys' ), enableHiding: false, enableGlobalSearch: true },
			{
				id: 'product',
				label: __( 'Product', 'batchkeys' ),
				elements: products.map( ( p ) => ( { value: p.id, label: p.name } ) ),
				filterBy: { operators: [ 'is' ] },
				render: ( { item } ) => <>{ productName.get( item.product ) ?? item.product }</>,
			},
			{
				id: 'durationDays',
				label: __( 'Duration', 'batchkeys' ),
				type: 'integer',
				render: ( { item } ) => <>{ formatDuration( item.durationDays ) }</>,
			},
			{
				id: 'lock',
				label: __( 'Lock', 'batchkeys' ),
				elements: LOCKS.map( ( l ) => ( { value: l, label: lockLabel( l ) } ) ),
				filterBy: { operators: [ 'is' ] },
			},
			{
				id: 'maxActivations',
				label: __( 'Max activations', 'batchkeys' ),
				type: 'integer',
				render: ( { item } ) => <>{ formatLimit( item.maxActivations ) }</>,
			},
			{
				id: 'tokens',
				label: __( 'Tokens', 'batchkeys' ),
				type: 'integer',
				render: ( { item } ) => <>{ item.tokens === null ? __( 'None', 'batchkeys' ) : item.tokens }</>,
			},
		];
	}, [ products ] );
	const actions = useMemo(
		(): Action< Policy >[] => [
			{
				id: 'edit',
				label: __( 'Edit', 'batchkeys' ),
				icon: pencil,
				isPrimary: true,
				callback: ( [ policy ] ) => policy && onEdit( policy ),
			},
		],
		[ onEdit ]
	);
	const { view, setView, shown, paginationInfo } = useLocalView( policies, fields, INITIAL );

	if ( ! isLoading && policies.length === 0 ) {
		return (
			<EmptyState
				title={ __( 'No policies yet', 'batchkeys' ) }
				action={
					products.length > 0 && (
						<Button variant="secondary" __next40pxDefaultSize onClick={ onAdd }>
							{ __( 'Create the first policy', 'batchkeys' ) }
						</Button>
					)
				}
			>
				{ __( 'A policy holds the defaults for new keys of a product: how long they last, how they are locked, how many activations and tokens they get. Keys work without one.', 'batchkeys' ) }
			</EmptyState>
		);
	}
	return (
		<div className="batchkeys-dataviews">
			<DataViews< Policy >
				data={ shown }
				fields={ fields }
				view={ view }
				onChangeView={ setView }
				actions={ actions }
				isLoading={ isLoading }
				search
				searchLabel={ __( 'Search policies', 'batchkeys' ) }
				defaultLayouts={ { table: {} } }
				paginationInfo={ paginationInfo }
			/>
		</div>
	);
}
