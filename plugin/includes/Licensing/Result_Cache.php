<?php
/**
 * Cached answers and last good answers, in transients.
 *
 * @package BatchKeys
 */

namespace BatchKeys\Licensing;

defined( 'ABSPATH' ) || exit;

/**
 * Transients are named by an HMAC of the normalised key under the site's salts, never by the key
 * itself, so the options table holds no key and no digest that could be checked against a guess
 * elsewhere. One transient per key holds its answers per scope (domain, device, product), so
 * activating or deactivating a key forgets all of them at once.
 */
final class Result_Cache {

	public const GENERATION_OPTION = 'batchkeys_cache_generation';

	private const FRESH = 'batchkeys_v_';
	private const GOOD  = 'batchkeys_g_';

	/**
	 * A cached answer, or null.
	 *
	 * @param string $key   The license key.
	 * @param array  $scope What was asked (domain, device, product).
	 */
	public static function get( string $key, array $scope ): ?Result {
		$entries = get_transient( self::fresh_name( $key ) );
		if ( ! is_array( $entries ) ) {
			return null;
		}
		return Result::from_array( $entries[ self::scope_id( $scope ) ] ?? null );
	}

	/**
	 * Caches an answer for `$lifetime` seconds.
	 *
	 * @param string $key      The license key.
	 * @param array  $scope    What was asked.
	 * @param Result $result   The answer.
	 * @param int    $lifetime Seconds; 0 caches nothing.
	 */
	public static function put( string $key, array $scope, Result $result, int $lifetime ): void {
		if ( $lifetime <= 0 ) {
			return;
		}
		$name    = self::fresh_name( $key );
		$entries = get_transient( $name );
		$entries = is_array( $entries ) ? $entries : array();

		$entries[ self::scope_id( $scope ) ] = $result->to_array();
		set_transient( $name, $entries, $lifetime );
	}

	/**
	 * The last answer that said valid, kept for the grace period, or null.
	 *
	 * @param string $key   The license key.
	 * @param array  $scope What was asked.
	 */
	public static function last_good( string $key, array $scope ): ?Result {
		$entries = get_transient( self::good_name( $key ) );
		if ( ! is_array( $entries ) ) {
			return null;
		}
		return Result::from_array( $entries[ self::scope_id( $scope ) ] ?? null );
	}

	/**
	 * Remembers (a valid answer) or forgets (null) the last good answer for a scope.
	 *
	 * @param string      $key    The license key.
	 * @param array       $scope  What was asked.
	 * @param Result|null $result The valid answer, or null when the server said no.
	 * @param int         $grace  Seconds to keep it.
	 */
	public static function set_good( string $key, array $scope, ?Result $result, int $grace ): void {
		$name    = self::good_name( $key );
		$entries = get_transient( $name );
		$entries = is_array( $entries ) ? $entries : array();
		$id      = self::scope_id( $scope );
		if ( null === $result ) {
			if ( ! isset( $entries[ $id ] ) ) {
				return;
			}
			unset( $entries[ $id ] );
		} else {
			$entries[ $id ] = $result->to_array();
		}
		if ( array() === $entries ) {
			delete_transient( $name );
		} elseif ( $grace > 0 ) {
			set_transient( $name, $entries, $grace );
		}
	}

	/**
	 * Forgets everything about one key (after an activation or deactivation).
	 *
	 * @param string $key The license key.
	 */
	public static function forget( string $key ): void {
		delete_transient( self::fresh_name( $key ) );
		delete_transient( self::good_name( $key ) );
	}

	/**
	 * Makes every cached answer stale (after the owner changed a license from wp-admin). Last good
	 * answers stay: they only matter while the server cannot be reached.
	 */
	public static function flush(): void {
		update_option( self::GENERATION_OPTION, (int) get_option( self::GENERATION_OPTION, 0 ) + 1, true );
	}

	/**
	 * @param string $key The license key.
	 */
	private static function fresh_name( string $key ): string {
		return self::FRESH . substr( hash( 'sha256', self::key_id( $key ) . '|' . (int) get_option( self::GENERATION_OPTION, 0 ) ), 0, 40 );
	}

	/**
	 * @param string $key The license key.
	 */
	private static function good_name( string $key ): string {
		return self::GOOD . substr( self::key_id( $key ), 0, 40 );
	}

	/**
	 * The server matches keys ignoring case, spaces and dashes; so does the cache.
	 *
	 * @param string $key The license key.
	 */
	private static function key_id( string $key ): string {
		$normal = strtoupper( (string) preg_replace( '/[\s-]+/', '', $key ) );
		return hash_hmac( 'sha256', $normal, 'batchkeys-cache|' . wp_salt( 'auth' ) );
	}

	/**
	 * @param array $scope Domain, device and product asked for.
	 */
	private static function scope_id( array $scope ): string {
		ksort( $scope );
		return substr( hash( 'sha256', (string) wp_json_encode( $scope ) ), 0, 16 );
	}
}
