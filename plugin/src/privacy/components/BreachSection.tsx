import { Button, TextControl } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import { buildBreach, emptyBreach, type Errors } from '../form';
import { summariseBreach } from '../format';
import type { BreachFields, BreachReport } from '../types';
import { useBreachReport } from '../use-breach-report';
import { Section } from '../../shared/components/Section';

function Lines( { items, none }: { items: string[]; none: string } ) {
	if ( items.length === 0 ) {
		return <span className="batchkeys-muted">{ none }</span>;
	}
	return (
		<ul className="batchkeys-privacy__list">
			{ items.map( ( i ) => (
				<li key={ i }>{ i }</li>
			) ) }
		</ul>
	);
}

function ReportView( { report }: { report: BreachReport } ) {
	const s = summariseBreach( report );
	return (
		<section className="batchkeys-privacy__report" aria-labelledby="batchkeys-privacy-report-title">
			<h3 id="batchkeys-privacy-report-title">{ __( 'Breach report', 'batchkeys' ) }</h3>
			<div className={ `notice inline ${ s.late ? 'notice-error' : 'notice-warning' }` }>
				<p>
					<strong>{ __( 'Notify the supervisory authority by', 'batchkeys' ) }</strong>{ ' ' }
					<span className="batchkeys-privacy__deadline">{ s.deadline }</span>. { s.hoursLeft }
				</p>
			</div>
			<dl className="batchkeys-details">
				<dt>{ __( 'Window', 'batchkeys' ) }</dt>
				<dd>
					{ s.window }
					{ s.filters.length > 0 && ` (${ s.filters.join( '; ' ) })` }
				</dd>
				<dt>{ __( 'Admin API', 'batchkeys' ) }</dt>
				<dd>
					{ s.entries } { s.bulkReads }
				</dd>
				<dt>{ __( 'By whom (token)', 'batchkeys' ) }</dt>
				<dd>
					<Lines items={ s.byActor } none={ __( 'Nobody', 'batchkeys' ) } />
				</dd>
				<dt>{ __( 'Read', 'batchkeys' ) }</dt>
				<dd>
					<Lines items={ s.read } none={ __( 'Nothing was read.', 'batchkeys' ) } />
				</dd>
				<dt>{ __( 'Changed', 'batchkeys' ) }</dt>
				<dd>
					<Lines items={ s.changed } none={ __( 'Nothing was changed.', 'batchkeys' ) } />
				</dd>
				<dt>{ __( 'Keys revealed', 'batchkeys' ) }</dt>
				<dd>
					{ s.keysRevealed }
					{ s.revealedLicenses.length > 0 && <Lines items={ s.revealedLicenses } none="" /> }
				</dd>
				<dt>{ __( 'Public API', 'batchkeys' ) }</dt>
				<dd>
					{ s.publicApi } <span className="batchkeys-muted">{ report.publicApi.note }</span>
				</dd>
				<dt>{ __( 'Accounts', 'batchkeys' ) }</dt>
				<dd>
					<Lines items={ s.accounts } none={ __( 'None', 'batchkeys' ) } />
				</dd>
				<dt>{ __( 'Data subjects', 'batchkeys' ) }</dt>
				<dd>{ s.dataSubjects }</dd>
				<dt>{ __( 'Contacts', 'batchkeys' ) }</dt>
				<dd>
					<Lines
						items={ s.contacts }
						none={ __( 'None configured: set the privacy contact and supervisory authority on the server.', 'batchkeys' ) }
					/>
				</dd>
			</dl>
		</section>
	);
}

export function BreachSection( { notificationHours }: { notificationHours: number } ) {
	const b = useBreachReport();
	const [ fields, setFields ] = useState< BreachFields >( () => emptyBreach( Date.now() ) );
	const [ errors, setErrors ] = useState< Errors< BreachFields > >( {} );
	const set = ( name: keyof BreachFields ) => ( value: string ) => setFields( ( f ) => ( { ...f, [ name ]: value } ) );

	return (
		<Section id="batchkeys-privacy-breach" title={ __( 'Breach report', 'batchkeys' ) }>
			<p className="batchkeys-muted" style={ { marginTop: 0 } }>
				{ __( 'If a token leaked or someone got in, report what was read or changed in a time window, by whom, which people it concerns, and by when to notify:', 'batchkeys' ) }{ ' ' }
				{ notificationHours } { __( 'hours after you became aware.', 'batchkeys' ) }
			</p>
			<form
				className="batchkeys-form"
				noValidate
				onSubmit={ ( event ) => {
					event.preventDefault();
					const { body, errors: found } = buildBreach( fields );
					setErrors( found );
					if ( Object.keys( found ).length === 0 ) {
						void b.create( body );
					}
				} }
			>
				<div className="batchkeys-form__row">
					<TextControl
						__next40pxDefaultSize
						__nextHasNoMarginBottom
						type="datetime-local"
						label={ __( 'From', 'batchkeys' ) }
						value={ fields.from }
						onChange={ set( 'from' ) }
						help={ errors.from }
					/>
					<TextControl
						__next40pxDefaultSize
						__nextHasNoMarginBottom
						type="datetime-local"
						label={ __( 'To', 'batchkeys' ) }
						value={ fields.to }
						onChange={ set( 'to' ) }
						help={ errors.to }
					/>
				</div>
				<TextControl
					__next40pxDefaultSize
					__nextHasNoMarginBottom
					type="datetime-local"
					label={ __( 'Became aware at (optional)', 'batchkeys' ) }
					value={ fields.awareAt }
					onChange={ set( 'awareAt' ) }
					help={ errors.awareAt ?? __( 'Empty: now. The notification deadline counts from this moment.', 'batchkeys' ) }
				/>
				<div className="batchkeys-form__row">
					<TextControl
						__next40pxDefaultSize
						__nextHasNoMarginBottom
						label={ __( 'Token id (optional)', 'batchkeys' ) }
						value={ fields.token }
						onChange={ set( 'token' ) }
						help={ errors.token ?? __( 'Only what this token did, like tok_…', 'batchkeys' ) }
					/>
					<TextControl
						__next40pxDefaultSize
						__nextHasNoMarginBottom
						label={ __( 'IP address (optional)', 'batchkeys' ) }
						value={ fields.ip }
						onChange={ set( 'ip' ) }
						help={ errors.ip ?? __( 'Only what came from this address.', 'batchkeys' ) }
					/>
				</div>
				<div className="batchkeys-actions">
					<Button
						variant="primary"
						type="submit"
						__next40pxDefaultSize
						isBusy={ b.isCreating }
						disabled={ b.isCreating }
						accessibleWhenDisabled
					>
						{ __( 'Create breach report', 'batchkeys' ) }
					</Button>
				</div>
			</form>
			<div aria-live="polite">{ b.report && <ReportView report={ b.report } /> }</div>
		</Section>
	);
}
