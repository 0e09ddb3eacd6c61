/**
 * The boot data PHP prints before each screen's script (window.batchkeysAdmin). Read through one
 * accessor that checks every field, so a missing or malformed value degrades to "not connected"
 * instead of breaking a screen.
 */
export interface BootData {
	connected: boolean;
	serverUrl: string;
	/** URL of wp-admin/admin.php. */
	adminUrl: string;
	canReveal: boolean;
}

declare global {
	interface Window {
		batchkeysAdmin?: unknown;
	}
}

export function readBoot( raw: unknown ): BootData {
	const data =
		typeof raw === 'object' && raw !== null
			? ( raw as Record< string, unknown > )
			: {};
	return {
		connected: data.connected === true,
		serverUrl: typeof data.serverUrl === 'string' ? data.serverUrl : '',
		adminUrl:
			typeof data.adminUrl === 'string' && data.adminUrl !== ''
				? data.adminUrl
				: 'admin.php',
		canReveal: data.canReveal === true,
	};
}

export const getBoot = (): BootData => readBoot( window.batchkeysAdmin );
