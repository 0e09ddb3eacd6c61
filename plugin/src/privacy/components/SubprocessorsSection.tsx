import { __ } from '@wordpress/i18n';
import type { Subprocessor } from '../types';
import { Section } from '../../shared/components/Section';

export function SubprocessorsSection( { items, known }: { items: Subprocessor[]; known: boolean } ) {
	let body;
	if ( ! known ) {
		body = <p className="batchkeys-muted">{ __( 'Not known: the license server could not be reached.', 'batchkeys' ) }</p>;
	} else if ( items.length === 0 ) {
		body = (
			<p className="batchkeys-muted">
				{ __( 'The license server names no subprocessors. If it runs on a host or ships logs to a service, describe them in BATCHKEYS_SUBPROCESSORS on the server.', 'batchkeys' ) }
			</p>
		);
	} else {
		body = (
			<table className="widefat striped batchkeys-table">
				<thead>
					<tr>
						<th scope="col">{ __( 'Name', 'batchkeys' ) }</th>
						<th scope="col">{ __( 'Purpose', 'batchkeys' ) }</th>
						<th scope="col">{ __( 'Location', 'batchkeys' ) }</th>
					</tr>
				</thead>
				<tbody>
					{ items.map( ( s ) => (
						<tr key={ `${ s.name }|${ s.location }` }>
							<th scope="row">{ s.name }</th>
							<td>{ s.purpose }</td>
							<td>{ s.location }</td>
						</tr>
					) ) }
				</tbody>
			</table>
		);
	}
	return (
		<Section id="batchkeys-privacy-subprocessors" title={ __( 'Subprocessors', 'batchkeys' ) }>
			{ body }
		</Section>
	);
}
