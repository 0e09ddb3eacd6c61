import { Button } from '@wordpress/components';
import { __ } from '@wordpress/i18n';
import { getBoot } from '../../shared/boot';
import { CopyButton } from '../../shared/components/CopyButton';
import { useRevealKey } from '../use-reveal-key';
import { Section } from '../../shared/components/Section';

export function RevealKeyCard( { licenseId }: { licenseId: string } ) {
	const { key, isLoading, reveal, hide } = useRevealKey( licenseId );
	const canReveal = getBoot().canReveal;
	return (
		<Section id="batchkeys-reveal" title={ __( 'Key', 'batchkeys' ) }>
			{ ! canReveal && (
				<p className="batchkeys-muted">
					{ __( 'Revealing a key needs an admin token with the admin scope in Settings.', 'batchkeys' ) }
				</p>
			) }
			{ key === null ? (
				<Button
					variant="secondary"
					__next40pxDefaultSize
					isBusy={ isLoading }
					disabled={ isLoading || ! canReveal }
					accessibleWhenDisabled
					onClick={ () => void reveal() }
				>
					{ __( 'Reveal key', 'batchkeys' ) }
				</Button>
			) : (
				<div className="batchkeys-actions" style={ { alignItems: 'center' } }>
					<code className="batchkeys-key" aria-label={ __( 'License key', 'batchkeys' ) }>
						{ key }
					</code>
					<CopyButton text={ key } />
					<Button variant="tertiary" __next40pxDefaultSize onClick={ hide }>
						{ __( 'Hide key', 'batchkeys' ) }
					</Button>
				</div>
			) }
		</Section>
	);
}
