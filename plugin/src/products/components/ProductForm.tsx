import { Button, Modal, TextControl } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import type { ProductInput } from '../../shared/api';
import { slugify } from '../../shared/format';
import type { Product } from '../../shared/types';
import { buildProduct, productFields, type Errors, type ProductFields } from '../form';

export function ProductForm( {
	product,
	isSaving,
	onSave,
	onClose,
}: {
	product: Product | undefined;
	isSaving: boolean;
	onSave: ( input: ProductInput ) => Promise< boolean >;
	onClose: () => void;
} ) {
	const [ fields, setFields ] = useState< ProductFields >( productFields( product ) );
	const [ slugTouched, setSlugTouched ] = useState( product !== undefined );
	const [ errors, setErrors ] = useState< Errors< ProductFields > >( {} );

	return (
		<Modal
			title={ product ? __( 'Edit product', 'batchkeys' ) : __( 'Add product', 'batchkeys' ) }
			onRequestClose={ onClose }
			size="medium"
		>
			<form
				className="batchkeys-form"
				noValidate
				onSubmit={ ( event ) => {
					event.preventDefault();
					const { body, errors: found } = buildProduct( fields );
					setErrors( found );
					if ( Object.keys( found ).length === 0 ) {
						void onSave( body ).then( ( ok ) => ok && onClose() );
					}
				} }
			>
				<TextControl
					__next40pxDefaultSize
					__nextHasNoMarginBottom
					label={ __( 'Name', 'batchkeys' ) }
					value={ fields.name }
					onChange={ ( name ) =>
						setFields( ( f ) => ( {
							...f,
							name,
							slug: slugTouched ? f.slug : slugify( name ),
						} ) )
					}
					help={ errors.name }
				/>
				<TextControl
					__next40pxDefaultSize
					__nextHasNoMarginBottom
					label={ __( 'Slug', 'batchkeys' ) }
					value={ fields.slug }
					onChange={ ( slug ) => {
						setSlugTouched( true );
						setFields( ( f ) => ( { ...f, slug } ) );
					} }
					help={
						errors.slug ??
						__( 'Lower-case letters, digits and dashes. Your software sends it with each key.', 'batchkeys' )
					}
				/>
				<TextControl
					__next40pxDefaultSize
					__nextHasNoMarginBottom
					label={ __( 'Key prefix', 'batchkeys' ) }
					value={ fields.keyPrefix }
					onChange={ ( keyPrefix ) => setFields( ( f ) => ( { ...f, keyPrefix } ) ) }
					help={
						errors.keyPrefix ??
						__( 'Optional: new keys start with it, like ACME-…. 1 to 16 letters or digits.', 'batchkeys' )
					}
				/>
				<div className="batchkeys-actions">
					<Button
						variant="primary"
						type="submit"
						__next40pxDefaultSize
						isBusy={ isSaving }
						disabled={ isSaving }
						accessibleWhenDisabled
					>
						{ product ? __( 'Save product', 'batchkeys' ) : __( 'Create product', 'batchkeys' ) }
					</Button>
					<Button variant="tertiary" __next40pxDefaultSize onClick={ onClose }>
						{ __( 'Cancel', 'batchkeys' ) }
					</Button>
				</div>
			</form>
		</Modal>
	);
}
