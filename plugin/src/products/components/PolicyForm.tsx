import { Button, Modal, SelectControl, TextControl } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import type { PolicyInput } from '../../shared/api';
import { lockLabel } from '../../shared/format';
import type { Lock, Policy, Product } from '../../shared/types';
import { buildPolicy, policyFields, type Errors, type PolicyFields } from '../form';

const LOCKS: Lock[] = [ 'none', 'domain', 'device' ];

export function PolicyForm( {
	policy,
	products,
	isSaving,
	onSave,
	onClose,
}: {
	policy: Policy | undefined;
	products: Product[];
	isSaving: boolean;
	onSave: ( input: PolicyInput & { product: string } ) => Promise< boolean >;
	onClose: () => void;
} ) {
	const [ fields, setFields ] = useState< PolicyFields >(
		policyFields( policy, products[ 0 ]?.id ?? '' )
	);
	const [ errors, setErrors ] = useState< Errors< PolicyFields > >( {} );
	const set = ( name: keyof PolicyFields ) => ( value: string ) =>
		setFields( ( f ) => ( { ...f, [ name ]: value } ) );

	return (
		<Modal
			title={ policy ? __( 'Edit policy', 'batchkeys' ) : __( 'Add policy', 'batchkeys' ) }
			onRequestClose={ onClose }
			size="medium"
		>
			<form
				className="batchkeys-form"
				noValidate
				onSubmit={ ( event ) => {
					event.preventDefault();
					const { body, errors: found } = buildPolicy( fields );
					setErrors( found );
					if ( Object.keys( found ).length === 0 ) {
						void onSave( body ).then( ( ok ) => ok && onClose() );
					}
				} }
			>
				<SelectControl
					__next40pxDefaultSize
					__nextHasNoMarginBottom
					label={ __( 'Product', 'batchkeys' ) }
					value={ fields.product }
					disabled={ policy !== undefined }
					options={ products.map( ( p ) => ( { value: p.id, label: p.name } ) ) }
					onChange={ set( 'product' ) }
					help={
						errors.product ??
						( policy ? __( 'A policy stays with its product.', 'batchkeys' ) : undefined )
					}
				/>
				<TextControl
					__next40pxDefaultSize
					__nextHasNoMarginBottom
					label={ __( 'Name', 'batchkeys' ) }
					value={ fields.name }
					onChange={ set( 'name' ) }
					help={ errors.name ?? __( 'For example “Single site, 1 year”.', 'batchkeys' ) }
				/>
				<div className="batchkeys-form__row">
					<TextControl
						__next40pxDefaultSize
						__nextHasNoMarginBottom
						type="number"
						min={ 1 }
						label={ __( 'Duration (days)', 'batchkeys' ) }
						value={ fields.durationDays }
						onChange={ set( 'durationDays' ) }
						help={ errors.durationDays ?? __( 'Empty: keys do not expire.', 'batchkeys' ) }
					/>
					<SelectControl
						__next40pxDefaultSize
						__nextHasNoMarginBottom
						label={ __( 'Lock', 'batchkeys' ) }
						value={ fields.lock }
						options={ LOCKS.map( ( l ) => ( { value: l, label: lockLabel( l ) } ) ) }
						onChange={ set( 'lock' ) }
					/>
				</div>
				<div className="batchkeys-form__row">
					<TextControl
						__next40pxDefaultSize
						__nextHasNoMarginBottom
						type="number"
						min={ 0 }
						label={ __( 'Max activations', 'batchkeys' ) }
						value={ fields.maxActivations }
						onChange={ set( 'maxActivations' ) }
						help={ errors.maxActivations ?? __( 'Empty: no limit.', 'batchkeys' ) }
					/>
					<TextControl
						__next40pxDefaultSize
						__nextHasNoMarginBottom
						type="number"
						min={ 0 }
						label={ __( 'Tokens', 'batchkeys' ) }
						value={ fields.tokens }
						onChange={ set( 'tokens' ) }
						help={ errors.tokens ?? __( 'Empty: keys get no token balance.', 'batchkeys' ) }
					/>
				</div>
				{ policy && (
					<p className="batchkeys-muted">
						{ __( 'Changes apply to keys created from now on; existing keys keep their values.', 'batchkeys' ) }
					</p>
				) }
				<div className="batchkeys-actions">
					<Button
						variant="primary"
						type="submit"
						__next40pxDefaultSize
						isBusy={ isSaving }
						disabled={ isSaving }
						accessibleWhenDisabled
					>
						{ policy ? __( 'Save policy', 'batchkeys' ) : __( 'Create policy', 'batchkeys' ) }
					</Button>
					<Button variant="tertiary" __next40pxDefaultSize onClick={ onClose }>
						{ __( 'Cancel', 'batchkeys' ) }
					</Button>
				</div>
			</form>
		</Modal>
	);
}
