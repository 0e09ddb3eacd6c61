import type { Field } from '@wordpress/dataviews/wp';
import { __ } from '@wordpress/i18n';
import {
	formatActivations,
	formatDateTime,
	formatExpiry,
	formatTokens,
	licenseeLabel,
	statusLabel,
} from '../../shared/format';
import { StatusBadge } from '../../shared/components/StatusBadge';
import type { License, Product } from '../../shared/types';
import { keyUrl } from '../../shared/urls';
import { STATUSES } from '../query';

/**
 * The keys list's columns. Only those the server sorts by (`SORT_FIELDS` in ../query: creation
 * and expiry) are sortable, so that a sort orders every page, not just the one shown.
 */
export function licenseFields( products: Product[] ): Field< License >[] {
	const productName = new Map( products.map( ( p ) => [ p.slug, p.name ] ) );
	return [
		{
			id: 'licensee',
			label: __( 'Licensee', 'batchkeys' ),
			enableHiding: false,
			enableSorting: false,
			getValue: ( { item } ) => licenseeLabel( item ),
			render: ( { item } ) => (
				<a href={ keyUrl( item.id ) }>
					<strong>{ licenseeLabel( item ) }</strong>
					{ item.email && item.name && (
						<span className="batchkeys-muted"> ({ item.name })</span>
					) }
				</a>
			),
		},
		{
			id: 'id',
			label: __( 'Key ID', 'batchkeys' ),
			enableSorting: false,
			render: ( { item } ) => (
				<a href={ keyUrl( item.id ) }>
					<code>{ item.id }</code>
				</a>
			),
		},
		{
			id: 'product',
			enableSorting: false,
			label: __( 'Product', 'batchkeys' ),
			elements: products.map( ( p ) => ( { value: p.slug, label: p.name } ) ),
			filterBy: { operators: [ 'is' ] },
			getValue: ( { item } ) => item.product,
			render: ( { item } ) => (
				<>{ productName.get( item.product ) ?? item.product }</>
			),
		},
		{
			id: 'status',
			enableSorting: false,
			label: __( 'Status', 'batchkeys' ),
			elements: STATUSES.map( ( s ) => ( {
				value: s,
				label: statusLabel( s ),
			} ) ),
			filterBy: { operators: [ 'is' ], isPrimary: true },
			render: ( { item } ) => <StatusBadge status={ item.status } />,
		},
		{
			id: 'expiresAt',
			label: __( 'Expires', 'batchkeys' ),
			render: ( { item } ) => <>{ formatExpiry( item.expiresAt ) }</>,
		},
		{
			id: 'activations',
			enableSorting: false,
			label: __( 'Activations', 'batchkeys' ),
			render: ( { item } ) => (
				<>{ formatActivations( item.activations, item.maxActivations ) }</>
			),
		},
		{
			id: 'tokens',
			enableSorting: false,
			label: __( 'Tokens', 'batchkeys' ),
			render: ( { item } ) => <>{ formatTokens( item.tokens ) }</>,
		},
		{
			id: 'createdAt',
			label: __( 'Created', 'batchkeys' ),
			render: ( { item } ) => <>{ formatDateTime( item.createdAt, '' ) }</>,
		},
	];
}
