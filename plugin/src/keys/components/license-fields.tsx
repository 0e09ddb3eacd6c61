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
import { STATUSES, type SortValue } from '../query';

/** The value a column sorts by, for the client-side sort of a page. */
export function licenseSortValue( license: License, field: string ): SortValue {
	switch ( field ) {
		case 'licensee':
			return licenseeLabel( license ).toLowerCase();
		case 'product':
			return license.product;
		case 'status':
			return license.status;
		case 'expiresAt':
			return license.expiresAt ? Date.parse( license.expiresAt ) : null;
		case 'activations':
			return license.activations;
		case 'tokens':
			return license.tokens ? license.tokens.remaining : null;
		case 'createdAt':
			return Date.parse( license.createdAt );
		default:
			return null;
	}
}

export function licenseFields( products: Product[] ): Field< License >[] {
	const productName = new Map( products.map( ( p ) => [ p.slug, p.name ] ) );
	return [
		{
			id: 'licensee',
			label: __( 'Licensee', 'batchkeys' ),
			enableHiding: false,
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
			label: __( 'Activations', 'batchkeys' ),
			render: ( { item } ) => (
				<>{ formatActivations( item.activations, item.maxActivations ) }</>
			),
		},
		{
			id: 'tokens',
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
