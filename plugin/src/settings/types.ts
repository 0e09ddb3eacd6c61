/** The settings form as typed text; turned into a POST /settings body by buildSettings(). */
export interface SettingsFields {
	serverUrl: string;
	/** A new token; empty keeps the saved one. */
	token: string;
	/** One host pattern per line. */
	devHosts: string;
	/** Seconds, as typed. */
	cacheLifetime: string;
}
