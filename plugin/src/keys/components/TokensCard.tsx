import { Button, TextControl } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import { formatTokens, parseCount } from '../../shared/format';
import type { License } from '../../shared/types';
import type { LicenseDetail } from '../use-license';
import { Section } from '../../shared/components/Section';

export function TokensCard( {
	license,
	act,
	pending,
}: {
	license: License;
	act: LicenseDetail[ 'act' ];
	pending: string | null;
} ) {
	const [ amount, setAmount ] = useState( '' );
	const parsed = parseCount( amount );
	const valid = typeof parsed === 'number' && parsed > 0;
	return (
		<Section id="batchkeys-tokens" title={ __( 'Token balance', 'batchkeys' ) }>
			<p>
				<strong>{ formatTokens( license.tokens ) }</strong>
			</p>
			<form
				className="batchkeys-actions"
				onSubmit={ ( event ) => {
					event.preventDefault();
					if ( ! valid ) {
						return;
					}
					void act( 'add-tokens', { amount: parsed } ).then( ( ok ) => {
						if ( ok ) {
							setAmount( '' );
						}
					} );
				} }
			>
				<TextControl
					__next40pxDefaultSize
					__nextHasNoMarginBottom
					type="number"
					min={ 1 }
					label={ __( 'Tokens to add', 'batchkeys' ) }
					value={ amount }
					onChange={ setAmount }
				/>
				<Button
					variant="secondary"
					type="submit"
					__next40pxDefaultSize
					isBusy={ pending === 'add-tokens' }
					disabled={ pending !== null || ! valid }
					accessibleWhenDisabled
				>
					{ __( 'Add tokens', 'batchkeys' ) }
				</Button>
			</form>
		</Section>
	);
}
