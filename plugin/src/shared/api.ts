/**
 * The one place the screens talk to WordPress: path-based apiFetch calls under batchkeys/v1. The
 * core nonce and root-URL middlewares are registered by WordPress when it enqueues wp-api-fetch,
 * so nothing here handles authentication.
 */
import apiFetch from '@wordpress/api-fetch';
import { __ } from '@wordpress/i18n';
import { addQueryArgs } from '@wordpress/url';
import { cleanQuery, type QueryValue } from './query-string';
import type {
	Activation,
	ConnectionTest,
	CursorPage,
	ItemList,
	License,
	Lock,
	Policy,
	Product,
	RequestEntry,
	Settings,
} from './types';

const NAMESPACE = '/batchkeys/v1';

/** A failed call: the WP_Error code (the server's problem code when it came from the server). */
export class ApiError extends Error {
	readonly code: string;
	readonly status: number | null;

	constructor( message: string, code: string, status: number | null ) {
		super( message );
		this.name = 'ApiError';
		this.code = code;
		this.status = status;
	}
}

export function toApiError( error: unknown ): ApiError {
	if ( error instanceof ApiError ) {
		return error;
	}
	if ( typeof error === 'object' && error !== null ) {
		const e = error as {
			message?: unknown;
			code?: unknown;
			data?: { status?: unknown } | null;
		};
		const message =
			typeof e.message === 'string' && e.message !== ''
				? e.message
				: __( 'The request failed.', 'batchkeys' );
		const code = typeof e.code === 'string' ? e.code : 'unknown_error';
		const status =
			typeof e.data?.status === 'number' ? e.data.status : null;
		return new ApiError( message, code, status );
	}
	return new ApiError(
		__( 'The request failed.', 'batchkeys' ),
		'unknown_error',
		null
	);
}

interface RequestOptions {
	method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
	query?: Record< string, QueryValue >;
	data?: unknown;
}

export async function request< T >(
	path: string,
	{ method = 'GET', query = {}, data }: RequestOptions = {}
): Promise< T > {
	try {
		return await apiFetch< T >( {
			path: addQueryArgs( NAMESPACE + path, cleanQuery( query ) ),
			method,
			...( data === undefined ? {} : { data } ),
		} );
	} catch ( error ) {
		throw toApiError( error );
	}
}

const id = encodeURIComponent;

export interface LicenseListQuery {
	status?: string | undefined;
	product?: string | undefined;
	q?: string | undefined;
	limit?: number | undefined;
	sort?: 'createdAt' | 'expiresAt' | undefined;
	order?: 'asc' | 'desc' | undefined;
	cursor?: string | undefined;
}

export interface LicenseInput {
	product: string;
	policy?: string;
	email?: string;
	name?: string;
	expiresAt?: string | null;
	lock?: Lock;
	maxActivations?: number | null;
	tokens?: number | null;
}

export interface LicensePatch {
	email?: string | null;
	name?: string | null;
	expiresAt?: string | null;
	lock?: Lock;
	maxActivations?: number | null;
}

export type LicenseAction =
	| 'suspend'
	| 'reinstate'
	| 'revoke'
	| 'renew'
	| 'reset-activations'
	| 'add-tokens';

export interface ProductInput {
	name: string;
	slug: string;
	keyPrefix: string | null;
}

export interface PolicyInput {
	name: string;
	durationDays: number | null;
	lock: Lock;
	maxActivations: number | null;
	tokens: number | null;
}

export interface SettingsInput {
	serverUrl?: string;
	token?: string;
	devHosts?: string[];
	cacheLifetime?: number;
}

export const api = {
	listLicenses: ( query: LicenseListQuery ) =>
		request< CursorPage< License > >( '/licenses', { query: { ...query } } ),
	getLicense: ( licenseId: string ) =>
		request< { license: License } >( `/licenses/${ id( licenseId ) }` ),
	createLicense: ( input: LicenseInput ) =>
		request< { key: string; license: License } >( '/licenses', {
			method: 'POST',
			data: input,
		} ),
	updateLicense: ( licenseId: string, patch: LicensePatch ) =>
		request< { license: License } >( `/licenses/${ id( licenseId ) }`, {
			method: 'PATCH',
			data: patch,
		} ),
	licenseAction: (
		licenseId: string,
		action: LicenseAction,
		body: Record< string, unknown > = {}
	) =>
		request< { license: License } >(
			`/licenses/${ id( licenseId ) }/actions/${ action }`,
			{ method: 'POST', data: body }
		),
	revealKey: ( licenseId: string ) =>
		request< { key: string } >( `/licenses/${ id( licenseId ) }/key` ),
	listActivations: ( licenseId: string ) =>
		request< ItemList< Activation > >(
			`/licenses/${ id( licenseId ) }/activations`
		),
	deactivate: ( activationId: string ) =>
		request< unknown >( `/activations/${ id( activationId ) }`, {
			method: 'DELETE',
		} ),
	listRequests: ( licenseId: string, limit: number ) =>
		request< CursorPage< RequestEntry > >(
			`/licenses/${ id( licenseId ) }/requests`,
			{ query: { limit } }
		),

	listProducts: () => request< ItemList< Product > >( '/products' ),
	createProduct: ( input: ProductInput ) =>
		request< { product: Product } >( '/products', {
			method: 'POST',
			data: input,
		} ),
	updateProduct: ( productId: string, input: ProductInput ) =>
		request< { product: Product } >( `/products/${ id( productId ) }`, {
			method: 'PATCH',
			data: input,
		} ),
	listPolicies: () => request< ItemList< Policy > >( '/policies' ),
	createPolicy: ( input: PolicyInput & { product: string } ) =>
		request< { policy: Policy } >( '/policies', {
			method: 'POST',
			data: input,
		} ),
	updatePolicy: ( policyId: string, input: PolicyInput ) =>
		request< { policy: Policy } >( `/policies/${ id( policyId ) }`, {
			method: 'PATCH',
			data: input,
		} ),

	getSettings: () => request< Settings >( '/settings' ),
	saveSettings: ( input: SettingsInput ) =>
		request< Settings >( '/settings', { method: 'POST', data: input } ),
	/** Tests the given URL and token, or the saved ones for what is left out. */
	testConnection: ( input: { serverUrl?: string; token?: string } ) =>
		request< ConnectionTest >( '/settings/test', { method: 'POST', data: input } ),
};
