import { Button } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import {
	formatActivations,
	formatDateTime,
	formatExpiry,
	formatLimit,
	lockLabel,
} from '../../shared/format';
import { StatusBadge } from '../../shared/components/StatusBadge';
import type { License, Policy, Product } from '../../shared/types';
import type { LicenseDetail } from '../use-license';
import { EditLicenseModal } from './EditLicenseModal';
import { Section } from '../../shared/components/Section';

export function LicenseSummary( {
	license,
	product,
	policy,
	update,
	pending,
}: {
	license: License;
	product: Product | undefined;
	policy: Policy | undefined;
	update: LicenseDetail[ 'update' ];
	pending: string | null;
} ) {
	const [ editing, setEditing ] = useState( false );
	const none = <span className="batchkeys-muted">{ __( 'Not given', 'batchkeys' ) }</span>;
	return (
		<Section id="batchkeys-summary" title={ __( 'Details', 'batchkeys' ) }>
			<dl className="batchkeys-details">
				<dt>{ __( 'Status', 'batchkeys' ) }</dt>
				<dd>
					<StatusBadge status={ license.status } />
				</dd>
				<dt>{ __( 'Expires', 'batchkeys' ) }</dt>
				<dd>{ formatExpiry( license.expiresAt ) }</dd>
				<dt>{ __( 'Lock', 'batchkeys' ) }</dt>
				<dd>{ lockLabel( license.lock ) }</dd>
				<dt>{ __( 'Max activations', 'batchkeys' ) }</dt>
				<dd>{ formatLimit( license.maxActivations ) }</dd>
				<dt>{ __( 'Activations in use', 'batchkeys' ) }</dt>
				<dd>{ formatActivations( license.activations, license.maxActivations ) }</dd>
				<dt>{ __( 'Licensee email', 'batchkeys' ) }</dt>
				<dd>{ license.email ?? none }</dd>
				<dt>{ __( 'Licensee name', 'batchkeys' ) }</dt>
				<dd>{ license.name ?? none }</dd>
				<dt>{ __( 'Product', 'batchkeys' ) }</dt>
				<dd>{ product?.name ?? license.product }</dd>
				<dt>{ __( 'Policy', 'batchkeys' ) }</dt>
				<dd>{ policy?.name ?? license.policy ?? <span className="batchkeys-muted">{ __( 'None', 'batchkeys' ) }</span> }</dd>
				<dt>{ __( 'Key ID', 'batchkeys' ) }</dt>
				<dd>
					<code>{ license.id }</code>
				</dd>
				<dt>{ __( 'Created', 'batchkeys' ) }</dt>
				<dd>{ formatDateTime( license.createdAt, '' ) }</dd>
			</dl>
			{ license.status !== 'revoked' && (
				<p style={ { marginBottom: 0 } }>
					<Button variant="secondary" __next40pxDefaultSize onClick={ () => setEditing( true ) }>
						{ __( 'Edit details', 'batchkeys' ) }
					</Button>
				</p>
			) }
			{ editing && (
				<EditLicenseModal
					license={ license }
					update={ update }
					isSaving={ pending === 'update' }
					onClose={ () => setEditing( false ) }
				/>
			) }
		</Section>
	);
}
