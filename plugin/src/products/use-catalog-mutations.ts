import { useCallback, useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { api, type PolicyInput, type ProductInput } from '../shared/api';
import type { Catalog } from '../shared/use-catalog';
import { useNotify } from '../shared/use-notify';

/** Create and edit products and policies; each success reloads the catalogue. */
export function useCatalogMutations( catalog: Catalog ) {
	const notify = useNotify();
	const [ isSaving, setSaving ] = useState( false );

	const save = useCallback(
		async ( call: () => Promise< { name: string } >, message: string ): Promise< boolean > => {
			setSaving( true );
			try {
				const saved = await call();
				notify.success( sprintf( message, saved.name ) );
				await catalog.reload();
				return true;
			} catch ( e ) {
				notify.error( e );
				return false;
			} finally {
				setSaving( false );
			}
		},
		[ catalog, notify ]
	);

	const saveProduct = useCallback(
		( input: ProductInput, id?: string ) =>
			save(
				async () =>
					( id ? await api.updateProduct( id, input ) : await api.createProduct( input ) ).product,
				id
					? /* translators: %s: product name */ __( 'Product “%s” saved.', 'batchkeys' )
					: /* translators: %s: product name */ __( 'Product “%s” created.', 'batchkeys' )
			),
		[ save ]
	);

	const savePolicy = useCallback(
		( input: PolicyInput & { product: string }, id?: string ) =>
			save(
				async () => {
					if ( id ) {
						// A policy stays with its product: PATCH does not take one.
						const { product: _product, ...patch } = input;
						return ( await api.updatePolicy( id, patch ) ).policy;
					}
					return ( await api.createPolicy( input ) ).policy;
				},
				id
					? /* translators: %s: policy name */ __( 'Policy “%s” saved.', 'batchkeys' )
					: /* translators: %s: policy name */ __( 'Policy “%s” created.', 'batchkeys' )
			),
		[ save ]
	);

	return { isSaving, saveProduct, savePolicy };
}
