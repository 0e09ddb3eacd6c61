import { describe, expect, it } from 'vitest';
import { buildPolicy, buildProduct, policyFields } from './form';

describe( 'the product form', () => {
	it( 'sends an empty key prefix as none', () => {
		expect( buildProduct( { name: ' Gallery Pro ', slug: 'gallery-pro', keyPrefix: '' } ) ).toEqual( {
			body: { name: 'Gallery Pro', slug: 'gallery-pro', keyPrefix: null },
			errors: {},
		} );
	} );

	it( 'refuses a missing name, a slug with capitals and a prefix with a dash', () => {
		const { errors } = buildProduct( { name: ' ', slug: 'Gallery', keyPrefix: 'GAL-' } );
		expect( Object.keys( errors ).sort() ).toEqual( [ 'keyPrefix', 'name', 'slug' ] );
	} );
} );

describe( 'the policy form', () => {
	it( 'sends empty limits as none', () => {
		const { body, errors } = buildPolicy( { ...policyFields( undefined, 'prd_1' ), name: 'Lifetime' } );
		expect( errors ).toEqual( {} );
		expect( body ).toEqual( { product: 'prd_1', name: 'Lifetime', durationDays: null, lock: 'none', maxActivations: null, tokens: null } );
	} );

	it( 'round-trips a policy being edited', () => {
		const policy = { id: 'pol_1', product: 'prd_1', name: 'Year', durationDays: 365, lock: 'domain' as const, maxActivations: 3, tokens: 100, createdAt: '', updatedAt: '' };
		expect( buildPolicy( policyFields( policy, 'other' ) ).body ).toEqual( { product: 'prd_1', name: 'Year', durationDays: 365, lock: 'domain', maxActivations: 3, tokens: 100 } );
	} );

	it( 'refuses a duration of 0 days', () => {
		expect( buildPolicy( { ...policyFields( undefined, 'prd_1' ), name: 'x', durationDays: '0' } ).errors.durationDays ).toBeDefined();
	} );
} );
