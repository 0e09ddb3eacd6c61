/** Shapes of the admin API as the batchkeys/v1 proxy passes them through (server/http/admin-schemas.ts). */

export type LicenseStatus = 'active' | 'suspended' | 'revoked' | 'expired';
export type Lock = 'none' | 'domain' | 'device';

export interface TokenBalance {
	remaining: number;
	total: number;
}

export interface License {
	id: string;
	/** Product slug. */
	product: string;
	productId: string;
	policy: string | null;
	status: LicenseStatus;
	expiresAt: string | null;
	lock: Lock;
	/** null: unlimited. */
	maxActivations: number | null;
	activations: number;
	tokens: TokenBalance | null;
	email: string | null;
	name: string | null;
	metadata: Record< string, unknown >;
	createdAt: string;
	updatedAt: string;
}

export interface Product {
	id: string;
	name: string;
	slug: string;
	keyPrefix: string | null;
	metadata: Record< string, unknown >;
	createdAt: string;
	updatedAt: string;
}

export interface Policy {
	id: string;
	/** Product id. */
	product: string;
	name: string;
	durationDays: number | null;
	lock: Lock;
	maxActivations: number | null;
	tokens: number | null;
	createdAt: string;
	updatedAt: string;
}

export interface Activation {
	id: string;
	domain: string | null;
	device: string | null;
	label: string | null;
	development: boolean;
	createdAt: string;
	lastSeenAt: string;
	deactivatedAt: string | null;
}

/** One line of a license's recent requests (GET /licenses/{id}/requests). */
export interface RequestEntry {
	id: string;
	at: string;
	action: string;
	code: string;
	ip: string | null;
	domain: string | null;
	device: string | null;
	latencyMs: number | null;
	tokens: number | null;
}

export interface CursorPage< T > {
	items: T[];
	nextCursor: string | null;
}

export interface ItemList< T > {
	items: T[];
}

export interface Settings {
	serverUrl: string;
	tokenSet: boolean;
	devHosts: string[];
	/** Seconds. */
	cacheLifetime: number;
}

export interface ConnectionTest {
	ok: boolean;
	code: string;
	message: string;
}
