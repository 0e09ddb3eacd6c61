import { Button, Modal } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { formatDateTime } from '../../shared/format';
import type { AccountInfo } from '../types';
import { Section } from '../../shared/components/Section';

/** The server command that reinstates an account, for the operator. */
export const reinstateCommand = ( accountId: string | null ): string =>
	`batchkeys account reinstate-api ${ accountId ?? '<account-id>' }`;

export function ApiAccessSection( {
	account,
	suspended,
	isBusy,
	setSuspended,
}: {
	account: AccountInfo | null;
	/** Shut down: from the account, or because the server answered API_SUSPENDED. */
	suspended: boolean;
	isBusy: boolean;
	setSuspended: ( suspend: boolean ) => Promise< boolean >;
} ) {
	const [ confirming, setConfirming ] = useState( false );
	const operator = account?.operator === true;

	return (
		<Section id="batchkeys-privacy-api" title={ __( 'API access', 'batchkeys' ) }>
			{ suspended ? (
				<>
					<div className="notice notice-error inline" role="status">
						<p>
							<strong>{ __( 'API access is shut down.', 'batchkeys' ) }</strong>{ ' ' }
							{ account?.apiSuspendedAt
								? sprintf(
										/* translators: %s: date */
										__( 'Since %s, every admin token of this account is refused, this plugin’s included. License keys keep validating.', 'batchkeys' ),
										formatDateTime( account.apiSuspendedAt, '' )
								  )
								: __( 'Every admin token of this account is refused, this plugin’s included. License keys keep validating.', 'batchkeys' ) }
						</p>
					</div>
					<p>
						{ __( 'The operator of the license server reinstates it from the server’s command line:', 'batchkeys' ) }{ ' ' }
						<code>{ reinstateCommand( account?.id ?? null ) }</code>
					</p>
					<Button
						variant="secondary"
						__next40pxDefaultSize
						isBusy={ isBusy }
						disabled={ isBusy }
						accessibleWhenDisabled
						onClick={ () => void setSuspended( false ) }
					>
						{ __( 'Reinstate API access', 'batchkeys' ) }
					</Button>
					<p className="batchkeys-help">
						{ __( 'From here this works only with a token of another operator account: this account’s own tokens are refused while its access is shut down.', 'batchkeys' ) }
					</p>
				</>
			) : (
				<>
					<p style={ { marginTop: 0 } }>
						{ account
							? sprintf(
									/* translators: 1: account name, 2: account id */
									__( 'API access is on for the account %1$s (%2$s).', 'batchkeys' ),
									account.name,
									account.id
							  )
							: __( 'API access is on.', 'batchkeys' ) }{ ' ' }
						{ __( 'If this account’s tokens may have leaked, shut its admin API down at once: nobody can then read or change licenses through it until the operator reinstates it. Keys keep validating for your customers.', 'batchkeys' ) }
					</p>
					<Button
						variant="secondary"
						isDestructive
						__next40pxDefaultSize
						disabled={ isBusy || ! operator }
						accessibleWhenDisabled
						onClick={ () => setConfirming( true ) }
					>
						{ __( 'Shut down API access', 'batchkeys' ) }
					</Button>
					{ ! operator && (
						<p className="batchkeys-help">
							{ __( 'Only the license server’s operator account can shut down API access; ask the operator, or connect with an operator token.', 'batchkeys' ) }
						</p>
					) }
				</>
			) }
			{ confirming && (
				<Modal
					title={ __( 'Shut down API access?', 'batchkeys' ) }
					onRequestClose={ () => setConfirming( false ) }
					size="medium"
				>
					<p>
						{ __( 'Every admin token of this account stops working at once.', 'batchkeys' ) }{ ' ' }
						<strong>
							{ __( 'This plugin itself loses access too: its screens can read and change nothing until API access is reinstated from the server’s command line. License keys keep validating for your customers.', 'batchkeys' ) }
						</strong>
					</p>
					<p>
						<code>{ reinstateCommand( account?.id ?? null ) }</code>
					</p>
					<div className="batchkeys-actions">
						<Button variant="tertiary" __next40pxDefaultSize onClick={ () => setConfirming( false ) }>
							{ __( 'Cancel', 'batchkeys' ) }
						</Button>
						<Button
							variant="primary"
							isDestructive
							__next40pxDefaultSize
							isBusy={ isBusy }
							disabled={ isBusy }
							accessibleWhenDisabled
							onClick={ () => {
								void setSuspended( true ).then( () => setConfirming( false ) );
							} }
						>
							{ __( 'Shut down API access', 'batchkeys' ) }
						</Button>
					</div>
				</Modal>
			) }
		</Section>
	);
}
