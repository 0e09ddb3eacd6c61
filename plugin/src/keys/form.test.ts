import { describe, expect, it } from 'vitest';
import { buildCreateKey, buildLicensePatch, editKeyFields, type CreateKeyFields } from './form';

const blank: CreateKeyFields = {
	product: 'prd_1',
	policy: '',
	email: '',
	name: '',
	expires: '',
	lock: '',
	maxActivations: '',
	tokens: '',
};

describe( 'the create-key form', () => {
	it( 'sends only the product when everything else is left empty, so defaults apply', () => {
		expect( buildCreateKey( blank ) ).toEqual( { body: { product: 'prd_1' }, errors: {} } );
	} );

	it( 'sends every field that was filled in, the expiry at the end of that day in UTC', () => {
		const { body, errors } = buildCreateKey( {
			product: 'prd_1',
			policy: 'pol_1',
			email: ' ana@example.com ',
			name: ' Ana Lima ',
			expires: '2027-03-31',
			lock: 'domain',
			maxActivations: '3',
			tokens: '0',
		} );
		expect( errors ).toEqual( {} );
		expect( body ).toEqual( {
			product: 'prd_1',
			policy: 'pol_1',
			email: 'ana@example.com',
			name: 'Ana Lima',
			expiresAt: '2027-03-31T23:59:59Z',
			lock: 'domain',
			maxActivations: 3,
			tokens: 0,
		} );
	} );

	it( 'names each field that is wrong', () => {
		const { errors } = buildCreateKey( {
			...blank,
			product: '',
			email: 'ana',
			expires: '2027-02-30',
			maxActivations: '-1',
			tokens: '1.5',
		} );
		expect( Object.keys( errors ).sort() ).toEqual( [ 'email', 'expires', 'maxActivations', 'product', 'tokens' ] );
	} );
} );

describe( 'the edit-details form', () => {
	const license = {
		id: 'lic_1', product: 'p', productId: 'prd_1', policy: null, status: 'active' as const,
		expiresAt: '2027-06-15T10:30:00.000Z', lock: 'none' as const, maxActivations: 3, activations: 1,
		tokens: null, email: 'ana@example.com', name: null, metadata: {}, createdAt: '', updatedAt: '',
	};

	it( 'sends nothing when nothing changed, so an expiry keeps its exact time', () => {
		const initial = editKeyFields( license );
		expect( initial.expires ).toBe( '2027-06-15' );
		expect( buildLicensePatch( initial, { ...initial } ) ).toEqual( { patch: {}, errors: {} } );
	} );

	it( 'sends only the changed fields, emptied ones as cleared', () => {
		const initial = editKeyFields( license );
		const { patch } = buildLicensePatch( initial, { ...initial, email: '', expires: '', maxActivations: '5', lock: 'device' } );
		expect( patch ).toEqual( { email: null, expiresAt: null, maxActivations: 5, lock: 'device' } );
	} );
} );
