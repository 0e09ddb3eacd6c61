<?php
/**
 * The PHP API for themes and plugins, and the connection setter used by provisioning.
 *
 * @package BatchKeys
 */

use BatchKeys\Connection\Settings;
use BatchKeys\Licensing\License_Service;
use BatchKeys\Licensing\Result;

defined( 'ABSPATH' ) || exit;

if ( ! function_exists( 'batchkeys_validate' ) ) {
	/**
	 * Checks a license key against the BatchKeys server.
	 *
	 * Answers from the cache for the configured lifetime, waits at most 3 seconds for the server,
	 * and honours the last valid answer for 72 hours (filter `batchkeys_grace_period`) while the
	 * server cannot be reached. The answer's signature is always verified.
	 *
	 * @param string $key  The license key.
	 * @param array  $args {
	 *     Optional.
	 *     @type string $domain  Host or URL to check; defaults to this site's host. '' sends none.
	 *     @type string $device  A device UUID, for device-locked keys.
	 *     @type string $product Product slug or id the key must belong to.
	 *     @type bool   $cache   False to skip the cached answer and ask the server.
	 * }
	 * @return Result valid, code, detail, license (and source, checked_at, development).
	 */
	function batchkeys_validate( string $key, array $args = array() ): Result {
		return License_Service::validate( $key, $args );
	}
}

if ( ! function_exists( 'batchkeys_activate' ) ) {
	/**
	 * Activates a license key on this site (its host) or on the given domain or device.
	 *
	 * @param string $key  The license key.
	 * @param array  $args domain, device, label (up to 100 characters), product.
	 * @return Result valid is true when the key is active there (code ACTIVATED).
	 */
	function batchkeys_activate( string $key, array $args = array() ): Result {
		return License_Service::activate( $key, $args );
	}
}

if ( ! function_exists( 'batchkeys_deactivate' ) ) {
	/**
	 * Frees this site's (or the given domain's or device's) activation of a key.
	 *
	 * @param string $key  The license key.
	 * @param array  $args domain or device.
	 * @return Result valid is true when the seat was freed (code DEACTIVATED).
	 */
	function batchkeys_deactivate( string $key, array $args = array() ): Result {
		return License_Service::deactivate( $key, $args );
	}
}

if ( ! function_exists( 'batchkeys_set_connection' ) ) {
	/**
	 * Saves the server URL and admin token (the token encrypted under the site's salts).
	 *
	 * @param string $server_url The server's base URL.
	 * @param string $token      An admin token of the server.
	 * @return true|WP_Error
	 */
	function batchkeys_set_connection( string $server_url, string $token ) {
		if ( '' === trim( $server_url ) ) {
			return new WP_Error( 'batchkeys_invalid_server_url', __( 'Give the server URL.', 'batchkeys' ) );
		}
		return Settings::save(
			array(
				'server_url' => $server_url,
				'token'      => $token,
			)
		);
	}
}

if ( ! function_exists( 'batchkeys_is_development_site' ) ) {
	/**
	 * True when this site runs on a development host: localhost, a private address, *.local,
	 * *.test, staging.* and the like, or a pattern saved in the BatchKeys settings.
	 */
	function batchkeys_is_development_site(): bool {
		return Settings::is_development_host( License_Service::site_host() );
	}
}
