import { Button, CheckboxControl, TextControl } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import { buildRetention, retentionFields, type Errors } from '../form';
import { retentionRunText } from '../format';
import type { CommentRetention, RetentionFields } from '../types';
import { useRetention } from '../use-retention';
import { Section } from '../../shared/components/Section';

export function RetentionSection( {
	comments,
	onChange,
}: {
	comments: CommentRetention;
	onChange: ( comments: CommentRetention ) => void;
} ) {
	const r = useRetention( onChange );
	const [ fields, setFields ] = useState< RetentionFields >( retentionFields( comments ) );
	const [ errors, setErrors ] = useState< Errors< RetentionFields > >( {} );

	return (
		<Section id="batchkeys-privacy-retention" title={ __( 'Retention', 'batchkeys' ) }>
			<form
				className="batchkeys-form"
				noValidate
				onSubmit={ ( event ) => {
					event.preventDefault();
					const { body, errors: found } = buildRetention( fields );
					setErrors( found );
					if ( Object.keys( found ).length === 0 ) {
						void r.save( body );
					}
				} }
			>
				<p className="batchkeys-muted" style={ { margin: 0 } }>
					{ __( 'WordPress keeps every commenter’s IP address and browser user agent for spam checks, with no end date. Here you choose how long they stay: older comments get their IP address anonymised and their user agent cleared, in batches, once a day.', 'batchkeys' ) }
				</p>
				<TextControl
					__next40pxDefaultSize
					__nextHasNoMarginBottom
					type="number"
					min={ 0 }
					max={ 3650 }
					label={ __( 'Delete commenter IPs and user agents after (days)', 'batchkeys' ) }
					value={ fields.retentionDays }
					onChange={ ( retentionDays ) => setFields( ( f ) => ( { ...f, retentionDays } ) ) }
					help={ errors.retentionDays ?? __( '0 keeps them (WordPress’s default).', 'batchkeys' ) }
				/>
				<CheckboxControl
					__nextHasNoMarginBottom
					label={ __( 'Store commenter IP addresses', 'batchkeys' ) }
					checked={ fields.storeIp }
					onChange={ ( storeIp ) => setFields( ( f ) => ( { ...f, storeIp } ) ) }
					help={ __( 'When off, new comments are saved without an IP address (spam filters see less).', 'batchkeys' ) }
				/>
				<CheckboxControl
					__nextHasNoMarginBottom
					label={ __( 'Store commenter user agents', 'batchkeys' ) }
					checked={ fields.storeUserAgent }
					onChange={ ( storeUserAgent ) => setFields( ( f ) => ( { ...f, storeUserAgent } ) ) }
				/>
				<div className="batchkeys-actions">
					<Button
						variant="primary"
						type="submit"
						__next40pxDefaultSize
						isBusy={ r.isSaving }
						disabled={ r.isSaving }
						accessibleWhenDisabled
					>
						{ __( 'Save retention', 'batchkeys' ) }
					</Button>
					<Button
						variant="secondary"
						__next40pxDefaultSize
						isBusy={ r.isRunning }
						disabled={ r.isRunning || comments.retentionDays === 0 }
						accessibleWhenDisabled
						onClick={ () => void r.run() }
					>
						{ __( 'Run retention now', 'batchkeys' ) }
					</Button>
				</div>
				{ comments.retentionDays === 0 && (
					<p className="batchkeys-help">
						{ __( 'Save a number of days first: with 0 there is nothing to run.', 'batchkeys' ) }
					</p>
				) }
				<div role="status" aria-live="polite">
					{ r.lastResult !== null && <p className="batchkeys-privacy__result">{ retentionRunText( r.lastResult ) }</p> }
				</div>
			</form>
		</Section>
	);
}
