import { Button } from '@wordpress/components';
import { __ } from '@wordpress/i18n';
import { Loading } from '../../shared/components/Loading';
import { formatDateTime } from '../../shared/format';
import { useRequests } from '../use-requests';
import { Section } from '../../shared/components/Section';

export function RecentRequestsCard( { licenseId }: { licenseId: string } ) {
	const { items, isLoading, error, reload } = useRequests( licenseId );
	let body;
	if ( isLoading ) {
		body = <Loading label={ __( 'Loading recent requests…', 'batchkeys' ) } />;
	} else if ( error ) {
		// Servers older than the requests log answer 404 here: say so without alarm.
		body = (
			<div>
				<p className="batchkeys-muted">
					{ error.status === 404
						? __( 'The license server does not report recent requests for this key.', 'batchkeys' )
						: error.message }
				</p>
				<Button variant="tertiary" size="compact" onClick={ reload }>
					{ __( 'Try again', 'batchkeys' ) }
				</Button>
			</div>
		);
	} else if ( items.length === 0 ) {
		body = (
			<p className="batchkeys-muted">
				{ __( 'No requests yet: nothing has validated or activated this key.', 'batchkeys' ) }
			</p>
		);
	} else {
		body = (
			<table className="widefat striped batchkeys-table">
				<thead>
					<tr>
						<th scope="col">{ __( 'Time', 'batchkeys' ) }</th>
						<th scope="col">{ __( 'Request', 'batchkeys' ) }</th>
						<th scope="col">{ __( 'Answer', 'batchkeys' ) }</th>
						<th scope="col">{ __( 'Site or device', 'batchkeys' ) }</th>
						<th scope="col">{ __( 'IP address', 'batchkeys' ) }</th>
						<th scope="col">{ __( 'Time taken', 'batchkeys' ) }</th>
					</tr>
				</thead>
				<tbody>
					{ items.map( ( r ) => (
						<tr key={ r.id }>
							<td>{ formatDateTime( r.at, '' ) }</td>
							<td>
								{ r.action }
								{ r.tokens !== null && r.tokens !== undefined ? ` (${ r.tokens })` : '' }
							</td>
							<td>
								<code>{ r.code }</code>
							</td>
							<td>{ r.domain ?? r.device ?? '' }</td>
							<td>{ r.ip ?? '' }</td>
							<td>{ r.latencyMs !== null && r.latencyMs !== undefined ? `${ r.latencyMs } ms` : '' }</td>
						</tr>
					) ) }
				</tbody>
			</table>
		);
	}
	return (
		<Section id="batchkeys-requests" title={ __( 'Recent requests', 'batchkeys' ) }>
			{ body }
		</Section>
	);
}
