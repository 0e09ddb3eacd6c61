/**
 * Shapes of the batchkeys/v1/privacy/* routes (plugin/includes/Privacy, see .helpers/CONTRACT-6.md),
 * which pass the server's privacy API through (server/http/privacy-api.ts, server/privacy/*.ts).
 */

/** Days; null: kept until erased (or the setting is off). */
export type Days = number | null;

export interface Subprocessor {
	name: string;
	purpose: string;
	location: string;
}

/** What the server keeps and for how long: its privacy-policy facts (server/privacy/policy.ts). */
export interface ServerInventory {
	requestLog: { enabled: boolean; fields: string[] };
	ipAnonymisation: { afterDays: Days; ipv4PrefixBits: number; ipv6PrefixBits: number; appliesTo: string[] };
	retention: {
		requestLogDays: Days;
		ipDays: Days;
		auditDays: Days;
		deactivatedActivationDays: Days;
		expiredLicenseDays: Days;
	};
	purge: { automatic: boolean; intervalMinutes: number | null };
	rateLimiting: { perIp: number | null; perKey: number | null; windowSeconds: number } | null;
	logCollector: { host: string } | null;
	storage: string | null;
	subprocessors: Subprocessor[];
	subjectRequestDays: number;
	breachNotificationHours: number;
	warnings: string[];
}

/** The plugin's own comment-data retention (POST /privacy/comments answers this). */
export interface CommentRetention {
	/** 0: kept. */
	retentionDays: number;
	storeIp: boolean;
	storeUserAgent: boolean;
	lastRun: string | null;
	anonymisedTotal: number;
}

export interface AccountInfo {
	id: string;
	name: string;
	operator: boolean;
	apiSuspendedAt: string | null;
}

export interface Overview {
	/** Null when the server's facts were not in the answer (the server could not be reached). */
	server: ServerInventory | null;
	comments: CommentRetention;
	policyUrl: string | null;
	account: AccountInfo | null;
	/** Why the account could not be read (API_SUSPENDED: this account's API access is shut down). */
	accountError: { code: string; message: string } | null;
}

export type RequestKind = 'access' | 'export' | 'rectify' | 'erase';

export interface SubjectRequest {
	id: string;
	kind: RequestKind;
	subjectKind: 'email' | 'ip' | 'domain' | 'device';
	status: 'open' | 'completed';
	receivedAt: string;
	dueAt: string;
	instruction: string | null;
	completedAt: string | null;
	artefact: Record< string, unknown > | null;
	subjectErased: boolean;
}

export interface SubjectRequestInput {
	kind: RequestKind;
	subject: { kind: 'email'; value: string };
	receivedAt?: string;
	instruction?: string;
}

export interface BreachQuery {
	from: string;
	to: string;
	awareAt?: string;
	token?: string;
	ip?: string;
}

/** The server's breach report (server/privacy/breach.ts). */
export interface BreachReport {
	window: { from: string; to: string };
	filters: { token: string | null; account: string | null; ip: string | null };
	awareAt: string;
	notifyBy: string;
	hoursLeft: number;
	admin: {
		entries: number;
		byActor: Record< string, number >;
		read: Record< string, number >;
		changed: Record< string, number >;
		keysRevealed: ( string | null )[];
		bulkReads: number;
	};
	publicApi: { requests: number; byAction: Record< string, number >; note: string };
	accounts: { id: string; name: string | null; apiSuspended: boolean | null }[];
	dataSubjects: { licensees: number; licenses: number };
	contacts: { role: string; contact: string }[];
}

/** The retention form as typed. */
export interface RetentionFields {
	retentionDays: string;
	storeIp: boolean;
	storeUserAgent: boolean;
}

/** The request form as typed. */
export interface RequestFields {
	kind: RequestKind;
	email: string;
	/** YYYY-MM-DD. */
	receivedOn: string;
}

/** The breach form as typed (datetime-local values, in the browser's time zone). */
export interface BreachFields {
	from: string;
	to: string;
	awareAt: string;
	token: string;
	ip: string;
}
