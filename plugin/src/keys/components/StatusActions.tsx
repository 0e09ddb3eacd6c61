import { Button, Modal, TextControl } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import { parseCount } from '../../shared/format';
import type { License } from '../../shared/types';
import type { LicenseDetail } from '../use-license';
import { Section } from '../../shared/components/Section';

/** Suspend, reinstate, renew and revoke (after a confirmation: revocation is final). */
export function StatusActions( {
	license,
	act,
	pending,
}: {
	license: License;
	act: LicenseDetail[ 'act' ];
	pending: string | null;
} ) {
	const [ confirming, setConfirming ] = useState( false );
	const [ days, setDays ] = useState( '' );
	const revoked = license.status === 'revoked';
	const parsedDays = parseCount( days );
	const daysInvalid = parsedDays === undefined || parsedDays === 0;
	const busy = pending !== null;

	return (
		<Section id="batchkeys-status-actions" title={ __( 'Status', 'batchkeys' ) }>
			{ revoked ? (
				<p>{ __( 'This key is revoked: it no longer works anywhere, and revocation cannot be undone.', 'batchkeys' ) }</p>
			) : (
				<div className="batchkeys-actions">
					{ license.status === 'suspended' ? (
						<Button
							variant="primary"
							__next40pxDefaultSize
							isBusy={ pending === 'reinstate' }
							disabled={ busy }
							accessibleWhenDisabled
							onClick={ () => void act( 'reinstate' ) }
						>
							{ __( 'Reinstate', 'batchkeys' ) }
						</Button>
					) : (
						<Button
							variant="secondary"
							__next40pxDefaultSize
							isBusy={ pending === 'suspend' }
							disabled={ busy }
							accessibleWhenDisabled
							onClick={ () => void act( 'suspend' ) }
						>
							{ __( 'Suspend', 'batchkeys' ) }
						</Button>
					) }
					<Button
						variant="secondary"
						isDestructive
						__next40pxDefaultSize
						disabled={ busy }
						accessibleWhenDisabled
						onClick={ () => setConfirming( true ) }
					>
						{ __( 'Revoke', 'batchkeys' ) }
					</Button>
				</div>
			) }
			{ ! revoked && (
				<form
					className="batchkeys-actions"
					style={ { marginTop: 16 } }
					onSubmit={ ( event ) => {
						event.preventDefault();
						if ( daysInvalid ) {
							return;
						}
						void act( 'renew', parsedDays === null ? {} : { days: parsedDays } ).then( ( ok ) => {
							if ( ok ) {
								setDays( '' );
							}
						} );
					} }
				>
					<TextControl
						__next40pxDefaultSize
						__nextHasNoMarginBottom
						type="number"
						min={ 1 }
						label={ __( 'Renew for (days)', 'batchkeys' ) }
						aria-describedby="batchkeys-renew-help"
						value={ days }
						onChange={ setDays }
					/>
					<Button
						variant="secondary"
						type="submit"
						__next40pxDefaultSize
						isBusy={ pending === 'renew' }
						disabled={ busy || daysInvalid }
						accessibleWhenDisabled
					>
						{ __( 'Renew', 'batchkeys' ) }
					</Button>
				</form>
			) }
			{ ! revoked && (
				<p id="batchkeys-renew-help" className="batchkeys-help">
					{ __( 'Leave the days empty to renew for the key’s own term, set by its policy.', 'batchkeys' ) }
				</p>
			) }
			{ confirming && (
				<Modal
					title={ __( 'Revoke this key?', 'batchkeys' ) }
					onRequestClose={ () => setConfirming( false ) }
					size="small"
				>
					<p>
						{ __( 'The key stops working on every site and device at once. Revocation is final: a revoked key cannot be reinstated. To stop a key for a while, suspend it instead.', 'batchkeys' ) }
					</p>
					<div className="batchkeys-actions">
						<Button variant="tertiary" __next40pxDefaultSize onClick={ () => setConfirming( false ) }>
							{ __( 'Cancel', 'batchkeys' ) }
						</Button>
						<Button
							variant="primary"
							isDestructive
							__next40pxDefaultSize
							isBusy={ pending === 'revoke' }
							disabled={ busy }
							onClick={ () => {
								void act( 'revoke' ).then( () => setConfirming( false ) );
							} }
						>
							{ __( 'Revoke key', 'batchkeys' ) }
						</Button>
					</div>
				</Modal>
			) }
		</Section>
	);
}
