import { Button, Modal, SelectControl, TextControl } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __, _n, sprintf } from '@wordpress/i18n';
import { ErrorState } from '../../shared/components/ErrorState';
import { Loading } from '../../shared/components/Loading';
import { formatDateTime } from '../../shared/format';
import { buildRequest, emptyRequest, type Errors } from '../form';
import { dueText, formatDay, isOverdue, requestKindLabel } from '../format';
import type { RequestFields, RequestKind, SubjectRequest } from '../types';
import { useSubjectRequests } from '../use-requests';
import { Section } from '../../shared/components/Section';

const KINDS: RequestKind[] = [ 'access', 'export', 'rectify', 'erase' ];

function StatusCell( { item, now }: { item: SubjectRequest; now: number } ) {
	if ( item.status === 'completed' ) {
		return (
			<span className="batchkeys-status batchkeys-status--active">
				{ /* translators: %s: date */ }
				{ sprintf( __( 'Completed %s', 'batchkeys' ), formatDateTime( item.completedAt, '' ) ) }
			</span>
		);
	}
	if ( isOverdue( item, now ) ) {
		return <span className="batchkeys-status batchkeys-status--revoked">{ __( 'Overdue', 'batchkeys' ) }</span>;
	}
	return <span className="batchkeys-status batchkeys-status--suspended">{ __( 'Open', 'batchkeys' ) }</span>;
}

function RequestForm( {
	isSaving,
	onCreate,
}: {
	isSaving: boolean;
	onCreate: ( fields: RequestFields ) => Promise< Errors< RequestFields > | null >;
} ) {
	const [ fields, setFields ] = useState< RequestFields >( () => emptyRequest( Date.now() ) );
	const [ errors, setErrors ] = useState< Errors< RequestFields > >( {} );
	return (
		<form
			className="batchkeys-form"
			noValidate
			aria-labelledby="batchkeys-privacy-record"
			onSubmit={ ( event ) => {
				event.preventDefault();
				void onCreate( fields ).then( ( found ) => {
					if ( found === null ) {
						setFields( emptyRequest( Date.now() ) );
						setErrors( {} );
					} else {
						setErrors( found );
					}
				} );
			} }
		>
			<h3 id="batchkeys-privacy-record" style={ { marginBottom: 0 } }>
				{ __( 'Record a request', 'batchkeys' ) }
			</h3>
			<div className="batchkeys-form__row">
				<SelectControl
					__next40pxDefaultSize
					__nextHasNoMarginBottom
					label={ __( 'Request type', 'batchkeys' ) }
					value={ fields.kind }
					options={ KINDS.map( ( k ) => ( { value: k, label: requestKindLabel( k ) } ) ) }
					onChange={ ( kind ) => setFields( ( f ) => ( { ...f, kind: kind as RequestKind } ) ) }
					help={ errors.kind }
				/>
				<TextControl
					__next40pxDefaultSize
					__nextHasNoMarginBottom
					type="date"
					label={ __( 'Received on', 'batchkeys' ) }
					value={ fields.receivedOn }
					onChange={ ( receivedOn ) => setFields( ( f ) => ( { ...f, receivedOn } ) ) }
					help={ errors.receivedOn }
				/>
			</div>
			<TextControl
				__next40pxDefaultSize
				__nextHasNoMarginBottom
				type="email"
				label={ __( 'Subject email', 'batchkeys' ) }
				value={ fields.email }
				onChange={ ( email ) => setFields( ( f ) => ( { ...f, email } ) ) }
				help={ errors.email ?? __( 'The licensee’s email address the request is about.', 'batchkeys' ) }
			/>
			<div className="batchkeys-actions">
				<Button
					variant="secondary"
					type="submit"
					__next40pxDefaultSize
					isBusy={ isSaving }
					disabled={ isSaving }
					accessibleWhenDisabled
				>
					{ __( 'Record request', 'batchkeys' ) }
				</Button>
			</div>
		</form>
	);
}

function ConfirmErase( {
	onConfirm,
	onClose,
}: {
	onConfirm: () => void;
	onClose: () => void;
} ) {
	return (
		<Modal title={ __( 'Complete the erasure?', 'batchkeys' ) } onRequestClose={ onClose } size="medium">
			<p>
				{ __( 'The license server erases everything it holds about this person now: their licenses stop working, and their activations and request history are removed. This cannot be undone.', 'batchkeys' ) }
			</p>
			<div className="batchkeys-actions">
				<Button variant="tertiary" __next40pxDefaultSize onClick={ onClose }>
					{ __( 'Cancel', 'batchkeys' ) }
				</Button>
				<Button variant="primary" isDestructive __next40pxDefaultSize onClick={ onConfirm }>
					{ __( 'Erase and complete', 'batchkeys' ) }
				</Button>
			</div>
		</Modal>
	);
}

export function RequestsSection() {
	const r = useSubjectRequests( true );
	const [ confirming, setConfirming ] = useState< SubjectRequest | null >( null );
	const now = Date.now();
	const overdue = r.items.filter( ( i ) => isOverdue( i, now ) ).length;

	let list;
	if ( r.isLoading && r.items.length === 0 ) {
		list = <Loading label={ __( 'Loading requests…', 'batchkeys' ) } />;
	} else if ( r.error ) {
		list = <ErrorState message={ r.error.message } onRetry={ () => void r.reload() } />;
	} else if ( r.items.length === 0 ) {
		list = (
			<p className="batchkeys-muted">
				{ __( 'No data-subject requests recorded. When someone asks to see, export, correct or erase their data, record it here to track the 30-day deadline.', 'batchkeys' ) }
			</p>
		);
	} else {
		list = (
			<table className="widefat striped batchkeys-table batchkeys-privacy__requests">
				<caption className="screen-reader-text">{ __( 'Data-subject requests', 'batchkeys' ) }</caption>
				<thead>
					<tr>
						<th scope="col">{ __( 'Type', 'batchkeys' ) }</th>
						<th scope="col">{ __( 'Received', 'batchkeys' ) }</th>
						<th scope="col">{ __( 'Due', 'batchkeys' ) }</th>
						<th scope="col">{ __( 'Status', 'batchkeys' ) }</th>
						<th scope="col">
							<span className="screen-reader-text">{ __( 'Actions', 'batchkeys' ) }</span>
						</th>
					</tr>
				</thead>
				<tbody>
					{ r.items.map( ( item ) => (
						<tr key={ item.id } data-request={ item.id }>
							<td>
								{ requestKindLabel( item.kind ) }
								{ item.subjectErased && (
									<span className="batchkeys-muted"> { __( '(subject erased)', 'batchkeys' ) }</span>
								) }
							</td>
							<td>{ formatDay( item.receivedAt ) }</td>
							<td>{ dueText( item, now ) }</td>
							<td>
								<StatusCell item={ item } now={ now } />
							</td>
							<td>
								{ item.status === 'open' && (
									<Button
										variant="secondary"
										size="compact"
										isBusy={ r.completing === item.id }
										disabled={ r.completing !== null }
										accessibleWhenDisabled
										label={ sprintf(
											/* translators: 1: request type, 2: date received */
											__( 'Complete the %1$s request received %2$s', 'batchkeys' ),
											requestKindLabel( item.kind ),
											formatDay( item.receivedAt )
										) }
										showTooltip={ false }
										onClick={ () => ( item.kind === 'erase' ? setConfirming( item ) : void r.complete( item ) ) }
									>
										{ __( 'Complete', 'batchkeys' ) }
									</Button>
								) }
							</td>
						</tr>
					) ) }
				</tbody>
			</table>
		);
	}

	return (
		<Section id="batchkeys-privacy-requests" title={ __( 'Data-subject requests', 'batchkeys' ) }>
			{ overdue > 0 && (
				<div role="alert" className="notice notice-error inline">
					<p>
						{ sprintf(
							/* translators: %d: number of requests */
							_n(
								'Overdue: %d open request is past its deadline. Answer it as soon as you can.',
								'Overdue: %d open requests are past their deadline. Answer them as soon as you can.',
								overdue,
								'batchkeys'
							),
							overdue
						) }
					</p>
				</div>
			) }
			{ list }
			{ r.nextCursor !== null && (
				<Button variant="tertiary" onClick={ () => void r.loadMore() } disabled={ r.isLoading } accessibleWhenDisabled>
					{ __( 'Show more requests', 'batchkeys' ) }
				</Button>
			) }
			<RequestForm
				isSaving={ r.isSaving }
				onCreate={ async ( fields ) => {
					const { body, errors } = buildRequest( fields, Date.now() );
					if ( Object.keys( errors ).length > 0 ) {
						return errors;
					}
					return ( await r.create( body ) ) ? null : {};
				} }
			/>
			{ confirming && (
				<ConfirmErase
					onClose={ () => setConfirming( null ) }
					onConfirm={ () => {
						const item = confirming;
						setConfirming( null );
						void r.complete( item );
					} }
				/>
			) }
		</Section>
	);
}
