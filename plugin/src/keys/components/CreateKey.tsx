import { Button, SelectControl, TextControl } from '@wordpress/components';
import { useMemo, useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { CopyButton } from '../../shared/components/CopyButton';
import { ErrorState } from '../../shared/components/ErrorState';
import { Loading } from '../../shared/components/Loading';
import { Screen } from '../../shared/components/Screen';
import { formatDuration, formatLimit, lockLabel } from '../../shared/format';
import type { Catalog } from '../../shared/use-catalog';
import { keyUrl, pageUrl } from '../../shared/urls';
import { buildCreateKey, type CreateKeyFields, type FieldErrors } from '../form';
import { useCreateLicense } from '../use-create-license';
import { Section } from '../../shared/components/Section';

const EMPTY: CreateKeyFields = {
	product: '',
	policy: '',
	email: '',
	name: '',
	expires: '',
	lock: '',
	maxActivations: '',
	tokens: '',
};

export function CreateKey( { catalog }: { catalog: Catalog } ) {
	const { created, isSaving, create, reset } = useCreateLicense();
	const [ fields, setFields ] = useState< CreateKeyFields >( EMPTY );
	const [ errors, setErrors ] = useState< FieldErrors >( {} );
	const set = < K extends keyof CreateKeyFields >( name: K ) => ( value: CreateKeyFields[ K ] ) =>
		setFields( ( f ) => ( { ...f, [ name ]: value } ) );

	const product = fields.product || catalog.products[ 0 ]?.id || '';
	const policies = useMemo(
		() => catalog.policies.filter( ( p ) => p.product === product ),
		[ catalog.policies, product ]
	);
	const policy = policies.find( ( p ) => p.id === fields.policy );
	const back = (
		<a href={ pageUrl( 'batchkeys' ) } className="page-title-action">
			{ __( 'All keys', 'batchkeys' ) }
		</a>
	);

	if ( created ) {
		return (
			<Screen title={ __( 'Key created', 'batchkeys' ) } actions={ back }>
				<Section id="batchkeys-new-key" title={ __( 'The new key', 'batchkeys' ) }>
					<p>
						{ __( 'Copy the key now and give it to your customer. It is shown here only once; later, “Reveal key” on the key’s page shows it again to administrators.', 'batchkeys' ) }
					</p>
					<div className="batchkeys-actions" style={ { alignItems: 'center' } }>
						<code className="batchkeys-key" aria-label={ __( 'New license key', 'batchkeys' ) }>
							{ created.key }
						</code>
						<CopyButton text={ created.key } />
					</div>
					<p className="batchkeys-actions" style={ { marginTop: 16 } }>
						<Button variant="primary" __next40pxDefaultSize href={ keyUrl( created.license.id ) }>
							{ __( 'Open the key', 'batchkeys' ) }
						</Button>
						<Button
							variant="tertiary"
							__next40pxDefaultSize
							onClick={ () => {
								setFields( EMPTY );
								reset();
							} }
						>
							{ __( 'Create another key', 'batchkeys' ) }
						</Button>
					</p>
				</Section>
			</Screen>
		);
	}

	if ( catalog.isLoading ) {
		return (
			<Screen title={ __( 'Add key', 'batchkeys' ) } actions={ back }>
				<Loading label={ __( 'Loading products…', 'batchkeys' ) } />
			</Screen>
		);
	}

	if ( catalog.error ) {
		return (
			<Screen title={ __( 'Add key', 'batchkeys' ) } actions={ back }>
				<ErrorState message={ catalog.error.message } onRetry={ () => void catalog.reload() } />
			</Screen>
		);
	}

	if ( catalog.products.length === 0 ) {
		return (
			<Screen title={ __( 'Add key', 'batchkeys' ) } actions={ back }>
				<p>
					{ __( 'Keys belong to a product, and there is none yet.', 'batchkeys' ) }{ ' ' }
					<a href={ pageUrl( 'batchkeys-products' ) }>{ __( 'Create a product first.', 'batchkeys' ) }</a>
				</p>
			</Screen>
		);
	}

	const defaultHint = policy
		? sprintf(
				/* translators: %s: policy name */
				__( 'Leave empty to use the “%s” policy’s value.', 'batchkeys' ),
				policy.name
		  )
		: __( 'Leave empty for no limit.', 'batchkeys' );

	return (
		<Screen title={ __( 'Add key', 'batchkeys' ) } actions={ back }>
			<Section id="batchkeys-create" title={ __( 'Key details', 'batchkeys' ) }>
				<form
					className="batchkeys-form"
					noValidate
					onSubmit={ ( event ) => {
						event.preventDefault();
						const result = buildCreateKey( { ...fields, product } );
						setErrors( result.errors );
						if ( Object.keys( result.errors ).length === 0 ) {
							void create( result.body );
						}
					} }
				>
					<SelectControl
						__next40pxDefaultSize
						__nextHasNoMarginBottom
						label={ __( 'Product', 'batchkeys' ) }
						value={ product }
						options={ catalog.products.map( ( p ) => ( { value: p.id, label: p.name } ) ) }
						onChange={ ( value: string ) => setFields( ( f ) => ( { ...f, product: value, policy: '' } ) ) }
						help={ errors.product }
					/>
					<SelectControl
						__next40pxDefaultSize
						__nextHasNoMarginBottom
						label={ __( 'Policy', 'batchkeys' ) }
						value={ fields.policy }
						options={ [
							{ value: '', label: __( 'No policy', 'batchkeys' ) },
							...policies.map( ( p ) => ( { value: p.id, label: p.name } ) ),
						] }
						onChange={ set( 'policy' ) }
						help={
							policy
								? sprintf(
										/* translators: 1: duration, 2: lock, 3: activation limit */
										__( 'Defaults: %1$s, %2$s, max activations %3$s.', 'batchkeys' ),
										formatDuration( policy.durationDays ),
										lockLabel( policy.lock ).toLowerCase(),
										formatLimit( policy.maxActivations )
								  )
								: __( 'A policy fills in the expiry, lock and limits you leave empty.', 'batchkeys' )
						}
					/>
					<div className="batchkeys-form__row">
						<TextControl
							__next40pxDefaultSize
							__nextHasNoMarginBottom
							type="email"
							label={ __( 'Licensee email', 'batchkeys' ) }
							value={ fields.email }
							onChange={ set( 'email' ) }
							help={ errors.email }
						/>
						<TextControl
							__next40pxDefaultSize
							__nextHasNoMarginBottom
							label={ __( 'Licensee name', 'batchkeys' ) }
							value={ fields.name }
							onChange={ set( 'name' ) }
						/>
					</div>
					<div className="batchkeys-form__row">
						<TextControl
							__next40pxDefaultSize
							__nextHasNoMarginBottom
							type="date"
							label={ __( 'Expires', 'batchkeys' ) }
							value={ fields.expires }
							onChange={ set( 'expires' ) }
							help={
								errors.expires ??
								( policy?.durationDays
									? __( 'Leave empty to use the policy’s term.', 'batchkeys' )
									: __( 'At the end of this day (UTC). Leave empty: never.', 'batchkeys' ) )
							}
						/>
						<SelectControl
							__next40pxDefaultSize
							__nextHasNoMarginBottom
							label={ __( 'Lock', 'batchkeys' ) }
							value={ fields.lock }
							options={ [
								{
									value: '',
									label: policy
										? __( 'The policy’s lock', 'batchkeys' )
										: __( 'Not locked (default)', 'batchkeys' ),
								},
								{ value: 'none', label: lockLabel( 'none' ) },
								{ value: 'domain', label: lockLabel( 'domain' ) },
								{ value: 'device', label: lockLabel( 'device' ) },
							] }
							onChange={ ( value: string ) =>
								set( 'lock' )( value as CreateKeyFields[ 'lock' ] )
							}
						/>
					</div>
					<div className="batchkeys-form__row">
						<TextControl
							__next40pxDefaultSize
							__nextHasNoMarginBottom
							type="number"
							min={ 0 }
							label={ __( 'Max activations', 'batchkeys' ) }
							value={ fields.maxActivations }
							onChange={ set( 'maxActivations' ) }
							help={ errors.maxActivations ?? defaultHint }
						/>
						<TextControl
							__next40pxDefaultSize
							__nextHasNoMarginBottom
							type="number"
							min={ 0 }
							label={ __( 'Tokens', 'batchkeys' ) }
							value={ fields.tokens }
							onChange={ set( 'tokens' ) }
							help={
								errors.tokens ??
								( policy
									? defaultHint
									: __( 'Leave empty for a key without a token balance.', 'batchkeys' ) )
							}
						/>
					</div>
					<div>
						<Button
							variant="primary"
							type="submit"
							__next40pxDefaultSize
							isBusy={ isSaving }
							disabled={ isSaving }
							accessibleWhenDisabled
						>
							{ __( 'Create key', 'batchkeys' ) }
						</Button>
					</div>
				</form>
			</Section>
		</Screen>
	);
}
