<?php
/**
 * Activation, deactivation and uninstall.
 *
 * @package BatchKeys
 */

namespace BatchKeys;

use BatchKeys\Connection\Settings;
use BatchKeys\Licensing\Signing_Key;

defined( 'ABSPATH' ) || exit;

/**
 * Grants and withdraws the `manage_batchkeys` capability and removes the plugin's data.
 *
 * Deactivation keeps the capability and the settings on purpose: a site owner who grants
 * `manage_batchkeys` to another role (a shop manager, say) with a role editor should not lose
 * that choice by switching the plugin off and on. Only uninstalling removes everything.
 */
final class Lifecycle {

	public const CAPABILITY = 'manage_batchkeys';

	/** Option recording the version whose install routine ran. */
	public const VERSION_OPTION = 'batchkeys_version';

	/** Runs on activation (and once after an update or a network activation that skipped it). */
	public static function activate(): void {
		$role = get_role( 'administrator' );
		if ( $role instanceof \WP_Role && ! $role->has_cap( self::CAPABILITY ) ) {
			$role->add_cap( self::CAPABILITY );
		}
		update_option( self::VERSION_OPTION, BATCHKEYS_VERSION, true );
	}

	/** Runs on deactivation: forgets the back-off so a reactivated plugin checks keys at once. */
	public static function deactivate(): void {
		delete_transient( Licensing\License_Service::BACKOFF_TRANSIENT );
	}

	/** Activation hooks do not run for every way a plugin becomes active; catch up once. */
	public static function maybe_upgrade(): void {
		if ( get_option( self::VERSION_OPTION ) !== BATCHKEYS_VERSION ) {
			self::activate();
		}
	}

	/** Removes the options, the transients and the capability. Called from uninstall.php. */
	public static function uninstall(): void {
		global $wpdb;

		foreach ( array( Settings::OPTION, Settings::TOKEN_OPTION, Settings::SCOPE_OPTION, Signing_Key::OPTION, self::VERSION_OPTION, Licensing\Result_Cache::GENERATION_OPTION ) as $option ) {
			delete_option( $option );
		}

		// Cached results are transients named by key digests: find them by prefix.
		$like_value   = $wpdb->esc_like( '_transient_batchkeys_' ) . '%';
		$like_timeout = $wpdb->esc_like( '_transient_timeout_batchkeys_' ) . '%';
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching -- a one-off clean-up of this plugin's own rows.
		$wpdb->query( $wpdb->prepare( "DELETE FROM {$wpdb->options} WHERE option_name LIKE %s OR option_name LIKE %s", $like_value, $like_timeout ) );
		// With a persistent object cache these transients live there instead; they expire on their own.
		delete_transient( Licensing\License_Service::BACKOFF_TRANSIENT );

		foreach ( wp_roles()->role_objects as $role ) {
			if ( $role->has_cap( self::CAPABILITY ) ) {
				$role->remove_cap( self::CAPABILITY );
			}
		}
	}
}
