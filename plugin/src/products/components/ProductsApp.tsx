import { Button } from '@wordpress/components';
import { useCallback, useState } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import { getBoot } from '../../shared/boot';
import { ErrorState } from '../../shared/components/ErrorState';
import { NotConnectedNotice } from '../../shared/components/NotConnectedNotice';
import { Screen } from '../../shared/components/Screen';
import type { Policy, Product } from '../../shared/types';
import { useCatalog } from '../../shared/use-catalog';
import type { PolicyEditing, ProductEditing } from '../types';
import { useCatalogMutations } from '../use-catalog-mutations';
import { PoliciesTable } from './PoliciesTable';
import { PolicyForm } from './PolicyForm';
import { ProductForm } from './ProductForm';
import { ProductsTable } from './ProductsTable';

export function ProductsApp() {
	const catalog = useCatalog();
	const { isSaving, saveProduct, savePolicy } = useCatalogMutations( catalog );
	const [ product, setProduct ] = useState< ProductEditing >( { mode: 'closed' } );
	const [ policy, setPolicy ] = useState< PolicyEditing >( { mode: 'closed' } );
	const editProduct = useCallback( ( item: Product ) => setProduct( { mode: 'edit', item } ), [] );
	const editPolicy = useCallback( ( item: Policy ) => setPolicy( { mode: 'edit', item } ), [] );
	const addProduct = useCallback( () => setProduct( { mode: 'create' } ), [] );
	const addPolicy = useCallback( () => setPolicy( { mode: 'create' } ), [] );

	if ( ! getBoot().connected ) {
		return (
			<Screen title={ __( 'Products & policies', 'batchkeys' ) }>
				<NotConnectedNotice />
			</Screen>
		);
	}
	return (
		<Screen title={ __( 'Products & policies', 'batchkeys' ) }>
			{ catalog.error && (
				<ErrorState message={ catalog.error.message } onRetry={ () => void catalog.reload() } />
			) }
			<section aria-labelledby="batchkeys-products-heading">
				<div className="batchkeys-screen__header" style={ { marginTop: 16 } }>
					<h2 id="batchkeys-products-heading">{ __( 'Products', 'batchkeys' ) }</h2>
					<Button variant="secondary" size="compact" onClick={ addProduct }>
						{ __( 'Add product', 'batchkeys' ) }
					</Button>
				</div>
				<ProductsTable
					products={ catalog.products }
					isLoading={ catalog.isLoading }
					onAdd={ addProduct }
					onEdit={ editProduct }
				/>
			</section>
			<section aria-labelledby="batchkeys-policies-heading">
				<div className="batchkeys-screen__header" style={ { marginTop: 32 } }>
					<h2 id="batchkeys-policies-heading">{ __( 'Policies', 'batchkeys' ) }</h2>
					<Button
						variant="secondary"
						size="compact"
						onClick={ addPolicy }
						disabled={ catalog.products.length === 0 }
						accessibleWhenDisabled
						{ ...( catalog.products.length === 0
							? { describedBy: __( 'Create a product first.', 'batchkeys' ), showTooltip: true }
							: {} ) }
					>
						{ __( 'Add policy', 'batchkeys' ) }
					</Button>
				</div>
				<PoliciesTable
					policies={ catalog.policies }
					products={ catalog.products }
					isLoading={ catalog.isLoading }
					onAdd={ addPolicy }
					onEdit={ editPolicy }
				/>
			</section>
			{ product.mode !== 'closed' && (
				<ProductForm
					product={ product.mode === 'edit' ? product.item : undefined }
					isSaving={ isSaving }
					onSave={ ( input ) =>
						saveProduct( input, product.mode === 'edit' ? product.item.id : undefined )
					}
					onClose={ () => setProduct( { mode: 'closed' } ) }
				/>
			) }
			{ policy.mode !== 'closed' && (
				<PolicyForm
					policy={ policy.mode === 'edit' ? policy.item : undefined }
					products={ catalog.products }
					isSaving={ isSaving }
					onSave={ ( input ) =>
						savePolicy( input, policy.mode === 'edit' ? policy.item.id : undefined )
					}
					onClose={ () => setPolicy( { mode: 'closed' } ) }
				/>
			) }
		</Screen>
	);
}
