import { __, sprintf } from '@wordpress/i18n';
import { formatDateTime } from '../../shared/format';
import { formatDays } from '../format';
import type { CommentRetention, ServerInventory } from '../types';
import { Section } from '../../shared/components/Section';

interface Row {
	what: string;
	kept: string;
	detail: string;
}

function serverRows( s: ServerInventory ): Row[] {
	const untilErased = __( 'Until erased', 'batchkeys' );
	const rows: Row[] = [];
	rows.push(
		s.requestLog.enabled
			? {
					what: __( 'Request log', 'batchkeys' ),
					kept: formatDays( s.retention.requestLogDays, untilErased ),
					/* translators: %s: list of fields */
					detail: sprintf( __( 'One row per public API call: %s. Never the key itself.', 'batchkeys' ), s.requestLog.fields.join( ', ' ) ),
			  }
			: {
					what: __( 'Request log', 'batchkeys' ),
					kept: __( 'Not kept', 'batchkeys' ),
					detail: __( 'The request log is turned off on the server.', 'batchkeys' ),
			  }
	);
	rows.push( {
		what: __( 'IP address anonymisation', 'batchkeys' ),
		kept: formatDays( s.ipAnonymisation.afterDays, __( 'Never anonymised', 'batchkeys' ) ),
		detail: sprintf(
			/* translators: 1: IPv4 prefix bits, 2: IPv6 prefix bits, 3: where */
			__( 'Client IP addresses are cut to /%1$d (IPv4) and /%2$d (IPv6) after this period, in: %3$s; audit entries drop theirs too.', 'batchkeys' ),
			s.ipAnonymisation.ipv4PrefixBits,
			s.ipAnonymisation.ipv6PrefixBits,
			s.ipAnonymisation.appliesTo.join( ', ' ) || __( 'nothing (no request log)', 'batchkeys' )
		),
	} );
	rows.push( {
		what: __( 'Audit log', 'batchkeys' ),
		kept: formatDays( s.retention.auditDays, untilErased ),
		detail: __( 'Who did what through the admin API (token, action, target, IP address), in a hash chain.', 'batchkeys' ),
	} );
	rows.push( {
		what: __( 'Deactivated activations', 'batchkeys' ),
		kept: formatDays( s.retention.deactivatedActivationDays, untilErased ),
		detail: __( 'Domains and devices a key was activated on, after they were deactivated.', 'batchkeys' ),
	} );
	rows.push( {
		what: __( 'Expired licenses', 'batchkeys' ),
		kept: formatDays( s.retention.expiredLicenseDays, untilErased ),
		detail: __( 'Licenses past their expiry, with the licensee’s email and name.', 'batchkeys' ),
	} );
	return rows;
}

function features( s: ServerInventory ): string[] {
	const out: string[] = [];
	out.push(
		s.purge.automatic && s.purge.intervalMinutes !== null
			? /* translators: %d: minutes */
			  sprintf( __( 'Retention periods are applied automatically every %d minutes.', 'batchkeys' ), s.purge.intervalMinutes )
			: __( 'Retention periods are applied only when the operator runs a purge.', 'batchkeys' )
	);
	if ( s.rateLimiting ) {
		out.push( __( 'Rate limiting keeps short-lived counters by IP address and by key digest.', 'batchkeys' ) );
	}
	if ( s.logCollector ) {
		/* translators: %s: host name */
		out.push( sprintf( __( 'Server logs (scrubbed of keys and tokens) are shipped to %s.', 'batchkeys' ), s.logCollector.host ) );
	}
	if ( s.storage ) {
		/* translators: %s: sqlite, json or postgres */
		out.push( sprintf( __( 'Storage: %s.', 'batchkeys' ), s.storage ) );
	}
	/* translators: 1: days to answer a request, 2: hours to notify a breach */
	out.push( sprintf( __( 'Data-subject requests are due %1$d days after receipt; breaches are notified within %2$d hours.', 'batchkeys' ), s.subjectRequestDays, s.breachNotificationHours ) );
	return out;
}

function commentRow( c: CommentRetention ): Row {
	const stored: string[] = [];
	if ( c.storeIp ) {
		stored.push( __( 'IP addresses', 'batchkeys' ) );
	}
	if ( c.storeUserAgent ) {
		stored.push( __( 'user agents', 'batchkeys' ) );
	}
	let detail =
		stored.length === 0
			? __( 'New comments keep neither the commenter’s IP address nor user agent.', 'batchkeys' )
			: /* translators: %s: what is stored */
			  sprintf( __( 'New comments keep the commenter’s %s.', 'batchkeys' ), stored.join( __( ' and ', 'batchkeys' ) ) );
	if ( c.lastRun ) {
		detail +=
			' ' +
			sprintf(
				/* translators: 1: date, 2: count */
				__( 'Last retention run: %1$s; %2$d comments anonymised so far.', 'batchkeys' ),
				formatDateTime( c.lastRun, '' ),
				c.anonymisedTotal
			);
	}
	return {
		what: __( 'Comment IP addresses and user agents (this site)', 'batchkeys' ),
		kept:
			c.retentionDays > 0
				? formatDays( c.retentionDays, '' )
				: __( 'Kept (no retention set)', 'batchkeys' ),
		detail,
	};
}

export function InventorySection( {
	server,
	comments,
	policyUrl,
}: {
	server: ServerInventory | null;
	comments: CommentRetention;
	policyUrl: string | null;
} ) {
	const rows = [ ...( server ? serverRows( server ) : [] ), commentRow( comments ) ];
	return (
		<Section id="batchkeys-privacy-inventory" title={ __( 'Data inventory', 'batchkeys' ) }>
			<p className="batchkeys-muted" style={ { marginTop: 0 } }>
				{ __( 'What the license server and this site keep about people, and for how long.', 'batchkeys' ) }
			</p>
			{ ! server && (
				<p>{ __( 'The license server’s part is not known: it could not be reached.', 'batchkeys' ) }</p>
			) }
			<table className="widefat striped batchkeys-table batchkeys-privacy__inventory">
				<thead>
					<tr>
						<th scope="col">{ __( 'Data', 'batchkeys' ) }</th>
						<th scope="col">{ __( 'Kept for', 'batchkeys' ) }</th>
						<th scope="col">{ __( 'Details', 'batchkeys' ) }</th>
					</tr>
				</thead>
				<tbody>
					{ rows.map( ( r ) => (
						<tr key={ r.what }>
							<th scope="row">{ r.what }</th>
							<td>{ r.kept }</td>
							<td>{ r.detail }</td>
						</tr>
					) ) }
				</tbody>
			</table>
			{ server && (
				<>
					<h3>{ __( 'Server features', 'batchkeys' ) }</h3>
					<ul className="batchkeys-privacy__list">
						{ features( server ).map( ( f ) => (
							<li key={ f }>{ f }</li>
						) ) }
					</ul>
					{ server.warnings.length > 0 && (
						<>
							<h3>{ __( 'To complete on the server', 'batchkeys' ) }</h3>
							<ul className="batchkeys-privacy__list">
								{ server.warnings.map( ( w ) => (
									<li key={ w }>{ w }</li>
								) ) }
							</ul>
						</>
					) }
				</>
			) }
			{ policyUrl && (
				<p>
					<a href={ policyUrl }>{ __( 'Read the suggested policy text in the Privacy Policy Guide', 'batchkeys' ) }</a>
				</p>
			) }
		</Section>
	);
}
