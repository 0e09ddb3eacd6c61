import { Button, Modal, SelectControl, TextControl } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import { lockLabel } from '../../shared/format';
import type { License, Lock } from '../../shared/types';
import { buildLicensePatch, editKeyFields, type EditKeyFields } from '../form';
import type { LicenseDetail } from '../use-license';

const LOCKS: Lock[] = [ 'none', 'domain', 'device' ];

export function EditLicenseModal( {
	license,
	update,
	isSaving,
	onClose,
}: {
	license: License;
	update: LicenseDetail[ 'update' ];
	isSaving: boolean;
	onClose: () => void;
} ) {
	const [ initial ] = useState( () => editKeyFields( license ) );
	const [ fields, setFields ] = useState< EditKeyFields >( initial );
	const [ errors, setErrors ] = useState< Partial< Record< keyof EditKeyFields, string > > >( {} );
	const set = ( name: keyof EditKeyFields ) => ( value: string ) =>
		setFields( ( f ) => ( { ...f, [ name ]: value } ) );

	return (
		<Modal title={ __( 'Edit key details', 'batchkeys' ) } onRequestClose={ onClose } size="medium">
			<form
				className="batchkeys-form"
				noValidate
				onSubmit={ ( event ) => {
					event.preventDefault();
					const { patch, errors: found } = buildLicensePatch( initial, fields );
					setErrors( found );
					if ( Object.keys( found ).length > 0 ) {
						return;
					}
					if ( Object.keys( patch ).length === 0 ) {
						onClose();
						return;
					}
					void update( patch ).then( ( ok ) => ok && onClose() );
				} }
			>
				<div className="batchkeys-form__row">
					<TextControl
						__next40pxDefaultSize
						__nextHasNoMarginBottom
						type="email"
						label={ __( 'Licensee email', 'batchkeys' ) }
						value={ fields.email }
						onChange={ set( 'email' ) }
						help={ errors.email }
					/>
					<TextControl
						__next40pxDefaultSize
						__nextHasNoMarginBottom
						label={ __( 'Licensee name', 'batchkeys' ) }
						value={ fields.name }
						onChange={ set( 'name' ) }
					/>
				</div>
				<div className="batchkeys-form__row">
					<TextControl
						__next40pxDefaultSize
						__nextHasNoMarginBottom
						type="date"
						label={ __( 'Expires', 'batchkeys' ) }
						value={ fields.expires }
						onChange={ set( 'expires' ) }
						help={ errors.expires ?? __( 'At the end of this day (UTC). Empty: never.', 'batchkeys' ) }
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
				<TextControl
					__next40pxDefaultSize
					__nextHasNoMarginBottom
					type="number"
					min={ 0 }
					label={ __( 'Max activations', 'batchkeys' ) }
					value={ fields.maxActivations }
					onChange={ set( 'maxActivations' ) }
					help={ errors.maxActivations ?? __( 'Empty: no limit. Lowering it removes no activation already made.', 'batchkeys' ) }
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
						{ __( 'Save details', 'batchkeys' ) }
					</Button>
					<Button variant="tertiary" __next40pxDefaultSize onClick={ onClose }>
						{ __( 'Cancel', 'batchkeys' ) }
					</Button>
				</div>
			</form>
		</Modal>
	);
}
