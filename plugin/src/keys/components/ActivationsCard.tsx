import { Button } from '@wordpress/components';
import { __, sprintf } from '@wordpress/i18n';
import { formatActivations, formatDateTime } from '../../shared/format';
import type { Activation, License } from '../../shared/types';
import type { LicenseDetail } from '../use-license';
import { Section } from '../../shared/components/Section';

const where = ( a: Activation ): string =>
	a.domain ?? a.device ?? __( 'Unnamed', 'batchkeys' );

export function ActivationsCard( {
	license,
	activations,
	deactivate,
	pending,
}: {
	license: License;
	activations: Activation[];
	deactivate: LicenseDetail[ 'deactivate' ];
	pending: string | null;
} ) {
	return (
		<Section id="batchkeys-activations" title={ __( 'Activations', 'batchkeys' ) }>
			<p>
				{ sprintf(
					/* translators: %s: e.g. "2 of 3" */
					__( 'In use: %s. Development sites do not count.', 'batchkeys' ),
					formatActivations( license.activations, license.maxActivations )
				) }
			</p>
			{ activations.length === 0 ? (
				<p className="batchkeys-muted">
					{ __( 'This key is not activated anywhere.', 'batchkeys' ) }
				</p>
			) : (
				<table className="widefat striped batchkeys-table">
					<thead>
						<tr>
							<th scope="col">{ __( 'Site or device', 'batchkeys' ) }</th>
							<th scope="col">{ __( 'Label', 'batchkeys' ) }</th>
							<th scope="col">{ __( 'Activated', 'batchkeys' ) }</th>
							<th scope="col">{ __( 'Last seen', 'batchkeys' ) }</th>
							<th scope="col">
								<span className="screen-reader-text">{ __( 'Actions', 'batchkeys' ) }</span>
							</th>
						</tr>
					</thead>
					<tbody>
						{ activations.map( ( a ) => (
							<tr key={ a.id }>
								<td>
									<code>{ where( a ) }</code>
									{ a.development && (
										<span className="batchkeys-muted"> { __( '(development)', 'batchkeys' ) }</span>
									) }
								</td>
								<td>{ a.label ?? '' }</td>
								<td>{ formatDateTime( a.createdAt, '' ) }</td>
								<td>{ formatDateTime( a.lastSeenAt, '' ) }</td>
								<td>
									<Button
										variant="secondary"
										size="compact"
										isDestructive
										isBusy={ pending === `deactivate:${ a.id }` }
										disabled={ pending !== null }
										accessibleWhenDisabled
										aria-describedby={ `batchkeys-activation-${ a.id }` }
										onClick={ () => void deactivate( a ) }
									>
										{ __( 'Deactivate', 'batchkeys' ) }
									</Button>
									<span id={ `batchkeys-activation-${ a.id }` } className="screen-reader-text">
										{ where( a ) }
									</span>
								</td>
							</tr>
						) ) }
					</tbody>
				</table>
			) }
		</Section>
	);
}
