/** The product and policy forms' text fields as REST bodies, with what is wrong with them. */
import { __ } from '@wordpress/i18n';
import type { PolicyInput, ProductInput } from '../shared/api';
import { parseCount } from '../shared/format';
import type { Lock, Policy, Product } from '../shared/types';

export interface ProductFields {
	name: string;
	slug: string;
	keyPrefix: string;
}

export interface PolicyFields {
	product: string;
	name: string;
	durationDays: string;
	lock: Lock;
	maxActivations: string;
	tokens: string;
}

export type Errors< F > = Partial< Record< keyof F, string > >;

const SLUG = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const PREFIX = /^[A-Za-z0-9]{1,16}$/;

export const productFields = ( p?: Product ): ProductFields => ( {
	name: p?.name ?? '',
	slug: p?.slug ?? '',
	keyPrefix: p?.keyPrefix ?? '',
} );

export function buildProduct( f: ProductFields ): {
	body: ProductInput;
	errors: Errors< ProductFields >;
} {
	const errors: Errors< ProductFields > = {};
	const name = f.name.trim();
	const slug = f.slug.trim();
	const keyPrefix = f.keyPrefix.trim();
	if ( name === '' ) {
		errors.name = __( 'Give the product a name.', 'batchkeys' );
	}
	if ( ! SLUG.test( slug ) || slug.length > 64 ) {
		errors.slug = __( 'Use lower-case letters, digits and dashes (at most 64).', 'batchkeys' );
	}
	if ( keyPrefix !== '' && ! PREFIX.test( keyPrefix ) ) {
		errors.keyPrefix = __( 'Use 1 to 16 letters or digits, or leave empty.', 'batchkeys' );
	}
	return { body: { name, slug, keyPrefix: keyPrefix === '' ? null : keyPrefix }, errors };
}

const text = ( n: number | null ): string => ( n === null ? '' : String( n ) );

export const policyFields = ( p: Policy | undefined, product: string ): PolicyFields => ( {
	product: p?.product ?? product,
	name: p?.name ?? '',
	durationDays: text( p?.durationDays ?? null ),
	lock: p?.lock ?? 'none',
	maxActivations: text( p?.maxActivations ?? null ),
	tokens: text( p?.tokens ?? null ),
} );

export function buildPolicy( f: PolicyFields ): {
	body: PolicyInput & { product: string };
	errors: Errors< PolicyFields >;
} {
	const errors: Errors< PolicyFields > = {};
	const name = f.name.trim();
	if ( f.product === '' ) {
		errors.product = __( 'Choose a product.', 'batchkeys' );
	}
	if ( name === '' ) {
		errors.name = __( 'Give the policy a name.', 'batchkeys' );
	}
	const whole = __( 'Enter a whole number, or leave empty.', 'batchkeys' );
	const durationDays = parseCount( f.durationDays );
	if ( durationDays === undefined || durationDays === 0 || ( durationDays ?? 0 ) > 36500 ) {
		errors.durationDays = __( 'Enter 1 to 36500 days, or leave empty for keys that do not expire.', 'batchkeys' );
	}
	const maxActivations = parseCount( f.maxActivations );
	if ( maxActivations === undefined ) {
		errors.maxActivations = whole;
	}
	const tokens = parseCount( f.tokens );
	if ( tokens === undefined ) {
		errors.tokens = whole;
	}
	return {
		body: {
			product: f.product,
			name,
			durationDays: durationDays ?? null,
			lock: f.lock,
			maxActivations: maxActivations ?? null,
			tokens: tokens ?? null,
		},
		errors,
	};
}
