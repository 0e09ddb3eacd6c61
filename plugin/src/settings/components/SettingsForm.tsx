import { Button, TextControl, TextareaControl } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import type { SettingsInput } from '../../shared/api';
import type { ConnectionTest, Settings } from '../../shared/types';
import { buildSettings, settingsFields, type SettingsErrors } from '../form';
import type { SettingsFields } from '../types';
import { ConnectionResult } from './ConnectionResult';

function typedConnection( fields: SettingsFields ): { serverUrl?: string; token?: string } {
	const serverUrl = fields.serverUrl.trim();
	const token = fields.token.trim();
	return {
		...( serverUrl !== '' ? { serverUrl } : {} ),
		...( token !== '' ? { token } : {} ),
	};
}

export function SettingsForm( {
	settings,
	isSaving,
	save,
	isTesting,
	test,
	testConnection,
}: {
	settings: Settings;
	isSaving: boolean;
	save: ( input: SettingsInput ) => Promise< boolean >;
	isTesting: boolean;
	test: ConnectionTest | null;
	testConnection: ( input: { serverUrl?: string; token?: string } ) => Promise< void >;
} ) {
	const [ fields, setFields ] = useState< SettingsFields >( settingsFields( settings ) );
	const [ errors, setErrors ] = useState< SettingsErrors >( {} );
	const set = ( name: keyof SettingsFields ) => ( value: string ) =>
		setFields( ( f ) => ( { ...f, [ name ]: value } ) );

	return (
		<form
			className="batchkeys-form"
			noValidate
			onSubmit={ ( event ) => {
				event.preventDefault();
				const { body, errors: found } = buildSettings( fields );
				setErrors( found );
				if ( Object.keys( found ).length === 0 ) {
					void save( body ).then( ( ok ) => ok && setFields( ( f ) => ( { ...f, token: '' } ) ) );
				}
			} }
		>
			<h2>{ __( 'Connection', 'batchkeys' ) }</h2>
			<TextControl
				__next40pxDefaultSize
				__nextHasNoMarginBottom
				type="url"
				label={ __( 'Server URL', 'batchkeys' ) }
				placeholder="https://licenses.example.com"
				value={ fields.serverUrl }
				onChange={ set( 'serverUrl' ) }
				help={ errors.serverUrl ?? __( 'The address of your BatchKeys license server.', 'batchkeys' ) }
			/>
			<TextControl
				__next40pxDefaultSize
				__nextHasNoMarginBottom
				type="password"
				autoComplete="new-password"
				label={ __( 'Admin token', 'batchkeys' ) }
				value={ fields.token }
				onChange={ set( 'token' ) }
				help={
					settings.tokenSet
						? __( 'A token is saved (it is stored encrypted and never shown). Enter a new one to replace it, or leave empty to keep it.', 'batchkeys' )
						: __( 'No token is saved yet. Create one on the server with write scope (admin scope also allows revealing keys).', 'batchkeys' )
				}
			/>
			<h2>{ __( 'Validation on this site', 'batchkeys' ) }</h2>
			<TextareaControl
				__nextHasNoMarginBottom
				label={ __( 'Development hosts', 'batchkeys' ) }
				rows={ 4 }
				value={ fields.devHosts }
				onChange={ set( 'devHosts' ) }
				help={
					errors.devHosts ??
					__( 'One host pattern per line, like localhost or *.test. Activations from these hosts are marked as development and do not use up a key’s activations.', 'batchkeys' )
				}
			/>
			<TextControl
				__next40pxDefaultSize
				__nextHasNoMarginBottom
				type="number"
				min={ 0 }
				label={ __( 'Cache lifetime (seconds)', 'batchkeys' ) }
				value={ fields.cacheLifetime }
				onChange={ set( 'cacheLifetime' ) }
				help={
					errors.cacheLifetime ??
					__( 'How long a validation answer is reused before asking the server again. 0 asks every time.', 'batchkeys' )
				}
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
					{ __( 'Save', 'batchkeys' ) }
				</Button>
				<Button
					variant="secondary"
					__next40pxDefaultSize
					isBusy={ isTesting }
					disabled={ isTesting }
					accessibleWhenDisabled
					// What is typed is tested, saved or not; empty fields fall back to the saved values.
					onClick={ () => void testConnection( typedConnection( fields ) ) }
				>
					{ __( 'Test connection', 'batchkeys' ) }
				</Button>
			</div>
			{ ! settings.tokenSet && fields.token === '' && ! test && (
				<p className="batchkeys-muted">{ __( 'Save a server URL and a token, then test the connection.', 'batchkeys' ) }</p>
			) }
			{ test && <ConnectionResult result={ test } /> }
		</form>
	);
}
