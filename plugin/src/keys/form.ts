/**
 * The create-key form's text fields as the REST body, with what is wrong with them. Blank
 * fields are left out so the policy's defaults (or the server's) apply.
 */
import { __ } from '@wordpress/i18n';
import type { LicensePatch } from '../shared/api';
import { endOfDayUtc, parseCount } from '../shared/format';
import type { License, Lock } from '../shared/types';

export interface CreateKeyFields {
	product: string;
	policy: string;
	email: string;
	name: string;
	/** YYYY-MM-DD or ''. */
	expires: string;
	/** '' means the policy's (or the server's) default. */
	lock: '' | 'none' | 'domain' | 'device';
	maxActivations: string;
	tokens: string;
}

export interface CreateKeyBody {
	product: string;
	policy?: string;
	email?: string;
	name?: string;
	expiresAt?: string;
	lock?: 'none' | 'domain' | 'device';
	maxActivations?: number;
	tokens?: number;
}

export type FieldErrors = Partial< Record< keyof CreateKeyFields, string > >;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function buildCreateKey(
	fields: CreateKeyFields
): { body: CreateKeyBody; errors: FieldErrors } {
	const errors: FieldErrors = {};
	const body: CreateKeyBody = { product: fields.product };
	if ( fields.product === '' ) {
		errors.product = __( 'Choose a product.', 'batchkeys' );
	}
	if ( fields.policy !== '' ) {
		body.policy = fields.policy;
	}
	const email = fields.email.trim();
	if ( email !== '' ) {
		if ( EMAIL.test( email ) ) {
			body.email = email;
		} else {
			errors.email = __( 'Enter an email address like name@example.com.', 'batchkeys' );
		}
	}
	const name = fields.name.trim();
	if ( name !== '' ) {
		body.name = name;
	}
	const expires = endOfDayUtc( fields.expires );
	if ( expires === undefined ) {
		errors.expires = __( 'Enter a date as YYYY-MM-DD.', 'batchkeys' );
	} else if ( expires !== null ) {
		body.expiresAt = expires;
	}
	if ( fields.lock !== '' ) {
		body.lock = fields.lock;
	}
	const max = parseCount( fields.maxActivations );
	if ( max === undefined ) {
		errors.maxActivations = __( 'Enter a whole number, or leave empty.', 'batchkeys' );
	} else if ( max !== null ) {
		body.maxActivations = max;
	}
	const tokens = parseCount( fields.tokens );
	if ( tokens === undefined ) {
		errors.tokens = __( 'Enter a whole number, or leave empty.', 'batchkeys' );
	} else if ( tokens !== null ) {
		body.tokens = tokens;
	}
	return { body, errors };
}

/** The edit-details form: what can change on an existing key. */
export interface EditKeyFields {
	email: string;
	name: string;
	/** YYYY-MM-DD (the UTC day) or ''. */
	expires: string;
	lock: Lock;
	maxActivations: string;
}

export const editKeyFields = ( license: License ): EditKeyFields => ( {
	email: license.email ?? '',
	name: license.name ?? '',
	expires: license.expiresAt ? license.expiresAt.slice( 0, 10 ) : '',
	lock: license.lock,
	maxActivations: license.maxActivations === null ? '' : String( license.maxActivations ),
} );

/**
 * Only what changed: an untouched expiry keeps its exact time instead of moving to the end of
 * its day. Emptied fields clear the value (no email, never expires, no limit).
 */
export function buildLicensePatch(
	initial: EditKeyFields,
	fields: EditKeyFields
): { patch: LicensePatch; errors: Partial< Record< keyof EditKeyFields, string > > } {
	const errors: Partial< Record< keyof EditKeyFields, string > > = {};
	const patch: LicensePatch = {};
	const email = fields.email.trim();
	if ( email !== initial.email ) {
		if ( email === '' || EMAIL.test( email ) ) {
			patch.email = email === '' ? null : email;
		} else {
			errors.email = __( 'Enter an email address like name@example.com.', 'batchkeys' );
		}
	}
	const name = fields.name.trim();
	if ( name !== initial.name ) {
		patch.name = name === '' ? null : name;
	}
	if ( fields.expires.trim() !== initial.expires ) {
		const expires = endOfDayUtc( fields.expires );
		if ( expires === undefined ) {
			errors.expires = __( 'Enter a date as YYYY-MM-DD.', 'batchkeys' );
		} else {
			patch.expiresAt = expires;
		}
	}
	if ( fields.lock !== initial.lock ) {
		patch.lock = fields.lock;
	}
	if ( fields.maxActivations.trim() !== initial.maxActivations ) {
		const max = parseCount( fields.maxActivations );
		if ( max === undefined ) {
			errors.maxActivations = __( 'Enter a whole number, or leave empty for no limit.', 'batchkeys' );
		} else {
			patch.maxActivations = max;
		}
	}
	return { patch, errors };
}
