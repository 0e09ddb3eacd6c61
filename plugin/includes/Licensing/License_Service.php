<?php
/**
 * License checks for themes and plugins: validate, activate, deactivate.
 *
 * @package BatchKeys
 */

namespace BatchKeys\Licensing;

use BatchKeys\Connection\Server_Client;
use BatchKeys\Connection\Server_Response;
use BatchKeys\Connection\Settings;

defined( 'ABSPATH' ) || exit;

/**
 * Calls the public license API. A check never holds a page for more than TIMEOUT seconds in
 * all (signing-key fetches included); after a failure it backs off for a minute, and meanwhile
 * the last good answer is honoured for the grace period.
 */
final class License_Service {

	/** Seconds one call may take in all. */
	public const TIMEOUT = 3.0;

	/** Set while the server is considered unreachable. */
	public const BACKOFF_TRANSIENT = 'batchkeys_backoff';
	public const BACKOFF_SECONDS   = MINUTE_IN_SECONDS;

	public const DEFAULT_GRACE = 72 * HOUR_IN_SECONDS;

	private const MAX_KEY_LENGTH = 256;

	/**
	 * Checks a key, from the cache when it can.
	 *
	 * @param string $key  The license key.
	 * @param array  $args domain, device, product, cache (false to skip the cache).
	 */
	public static function validate( string $key, array $args = array() ): Result {
		$key = trim( $key );
		if ( '' === $key || strlen( $key ) > self::MAX_KEY_LENGTH ) {
			return Result::local( 'INVALID_ARGUMENT', __( 'No license key was given, or it is too long.', 'batchkeys' ) );
		}
		if ( ! did_action( 'plugins_loaded' ) ) {
			// The cache is keyed with wp_salt(), a pluggable function defined only from then on.
			return Result::local( 'TOO_EARLY', __( 'Check license keys on or after the plugins_loaded action, not while plugins are still loading.', 'batchkeys' ) );
		}
		$scope = self::scope( $args, true );
		if ( ! isset( $args['cache'] ) || false !== $args['cache'] ) {
			$cached = Result_Cache::get( $key, $scope );
			if ( null !== $cached ) {
				return $cached->from( 'cache' );
			}
		}
		$server_url = Settings::server_url();
		if ( '' === $server_url ) {
			return Result::local( 'NOT_CONFIGURED', __( 'The BatchKeys plugin has no server address yet.', 'batchkeys' ) );
		}
		if ( false !== get_transient( self::BACKOFF_TRANSIENT ) ) {
			return self::offline( $key, $scope, __( 'The license server could not be reached a moment ago; it will be asked again shortly.', 'batchkeys' ) );
		}

		$deadline = microtime( true ) + self::TIMEOUT;
		$nonce    = bin2hex( random_bytes( 16 ) );
		$response = self::call( $server_url, 'validate', $scope + array( 'key' => $key, 'nonce' => $nonce ), $deadline );
		if ( $response instanceof Result ) {
			return 'SERVER_UNREACHABLE' === $response->code ? self::offline( $key, $scope, $response->detail ) : $response;
		}
		$json = $response->json();
		if ( 200 !== $response->status ) {
			// A refused request (a malformed domain, say): an answer about the call, not the key.
			return self::problem( $response, $scope );
		}
		if ( ! is_array( $json ) || ! isset( $json['valid'], $json['code'] ) ) {
			return Result::local( 'BAD_RESPONSE', __( 'The license server gave an answer this plugin does not understand.', 'batchkeys' ) );
		}
		if ( ( $json['meta']['nonce'] ?? null ) !== $nonce ) {
			// A signed answer to another request, replayed: refuse it.
			return Result::local( 'BAD_RESPONSE', __( 'The license server\'s answer was not for this request.', 'batchkeys' ) );
		}

		$result = new Result(
			true === $json['valid'],
			(string) $json['code'],
			(string) ( $json['detail'] ?? '' ),
			is_array( $json['license'] ?? null ) ? $json['license'] : null,
			'server',
			time(),
			self::is_development( $scope )
		);
		Result_Cache::put( $key, $scope, $result, Settings::cache_lifetime() );
		Result_Cache::set_good( $key, $scope, $result->valid ? $result : null, self::grace() );
		return $result;
	}

	/**
	 * Activates the key on this site (its host by default) or on a device.
	 *
	 * @param string $key  The license key.
	 * @param array  $args domain or device, label, product.
	 */
	public static function activate( string $key, array $args = array() ): Result {
		$key = trim( $key );
		if ( '' === $key || strlen( $key ) > self::MAX_KEY_LENGTH ) {
			return Result::local( 'INVALID_ARGUMENT', __( 'No license key was given, or it is too long.', 'batchkeys' ) );
		}
		$body = self::scope( $args, false ) + array( 'key' => $key );
		if ( isset( $args['label'] ) && '' !== (string) $args['label'] ) {
			$body['label'] = mb_substr( sanitize_text_field( (string) $args['label'] ), 0, 100 );
		}
		return self::change( 'activate', $key, $body );
	}

	/**
	 * Frees this site's (or a device's) seat on the key.
	 *
	 * @param string $key  The license key.
	 * @param array  $args domain or device.
	 */
	public static function deactivate( string $key, array $args = array() ): Result {
		$key = trim( $key );
		if ( '' === $key || strlen( $key ) > self::MAX_KEY_LENGTH ) {
			return Result::local( 'INVALID_ARGUMENT', __( 'No license key was given, or it is too long.', 'batchkeys' ) );
		}
		$scope = self::scope( $args, false );
		unset( $scope['product'] );
		return self::change( 'deactivate', $key, $scope + array( 'key' => $key ) );
	}

	/**
	 * Activation and deactivation: always asked of the server, never cached, and they make the
	 * key's cached answers stale.
	 *
	 * @param string $action 'activate' or 'deactivate'.
	 * @param string $key    The license key.
	 * @param array  $body   The request.
	 */
	private static function change( string $action, string $key, array $body ): Result {
		$server_url = Settings::server_url();
		if ( '' === $server_url ) {
			return Result::local( 'NOT_CONFIGURED', __( 'The BatchKeys plugin has no server address yet.', 'batchkeys' ) );
		}
		$response = self::call( $server_url, $action, $body, microtime( true ) + self::TIMEOUT );
		if ( $response instanceof Result ) {
			return $response;
		}
		Result_Cache::forget( $key );
		if ( ! $response->ok() ) {
			return self::problem( $response, $body );
		}
		$json = $response->json() ?? array();
		return new Result(
			true,
			'activate' === $action ? 'ACTIVATED' : 'DEACTIVATED',
			'activate' === $action ? __( 'The license is active here.', 'batchkeys' ) : __( 'The license is no longer active here.', 'batchkeys' ),
			is_array( $json['license'] ?? null ) ? $json['license'] : null,
			'server',
			time(),
			self::is_development( $body ),
			is_array( $json['activation'] ?? null ) ? $json['activation'] : null
		);
	}

	/**
	 * POSTs to `/v1/licenses/{action}` and checks the signature; a Result when that fails.
	 *
	 * @param string $server_url Base URL.
	 * @param string $action     validate, activate or deactivate.
	 * @param array  $body       The request.
	 * @param float  $deadline   microtime() by which all must be done.
	 * @return Server_Response|Result
	 */
	private static function call( string $server_url, string $action, array $body, float $deadline ) {
		$client   = new Server_Client( $server_url );
		$response = $client->request( 'POST', '/v1/licenses/' . $action, array(), $body, self::remaining( $deadline ) );
		if ( is_wp_error( $response ) || $response->status >= 500 || 429 === $response->status ) {
			set_transient( self::BACKOFF_TRANSIENT, 1, self::BACKOFF_SECONDS );
			return Result::local( 'SERVER_UNREACHABLE', __( 'The license server could not be reached.', 'batchkeys' ) );
		}
		if ( ! self::signed( $server_url, $response, $deadline ) ) {
			return Result::local( 'BAD_SIGNATURE', __( 'The license server\'s answer is not signed by its key, so it was refused. Check the server address in the BatchKeys settings.', 'batchkeys' ) );
		}
		return $response;
	}

	/**
	 * Verifies the answer's signature, fetching the key when none is stored and once more on a
	 * mismatch, in case the server's key was rotated.
	 *
	 * @param string          $server_url Base URL.
	 * @param Server_Response $response   The answer.
	 * @param float           $deadline   microtime() by which all must be done.
	 */
	private static function signed( string $server_url, Server_Response $response, float $deadline ): bool {
		$key     = Signing_Key::cached( $server_url );
		$fetched = false;
		if ( null === $key ) {
			$key     = Signing_Key::fetch( $server_url, self::remaining( $deadline ) );
			$fetched = true;
		}
		if ( null !== $key && Signing_Key::verifies( $response, $key ) ) {
			return true;
		}
		if ( $fetched || Signing_Key::pinned() || microtime( true ) >= $deadline ) {
			return false;
		}
		$fresh = Signing_Key::fetch( $server_url, self::remaining( $deadline ) );
		return null !== $fresh && $fresh !== $key && Signing_Key::verifies( $response, $fresh );
	}

	/**
	 * The last good answer within the grace period, else SERVER_UNREACHABLE.
	 *
	 * @param string $key    The license key.
	 * @param array  $scope  What was asked.
	 * @param string $detail Why the server was not asked.
	 */
	private static function offline( string $key, array $scope, string $detail ): Result {
		$good = Result_Cache::last_good( $key, $scope );
		if ( null !== $good && time() - $good->checked_at < self::grace() ) {
			return $good->from( 'grace' );
		}
		return Result::local( 'SERVER_UNREACHABLE', $detail );
	}

	/**
	 * A problem+json answer as a Result.
	 *
	 * @param Server_Response $response The answer.
	 * @param array           $scope    What was asked.
	 */
	private static function problem( Server_Response $response, array $scope ): Result {
		$error = $response->to_error();
		return new Result( false, (string) $error->get_error_code(), $error->get_error_message(), null, 'server', time(), self::is_development( $scope ) );
	}

	/**
	 * Domain, device and product for a request. For validation the site's own host is the
	 * default domain; for activation the host is the default only when no device is given,
	 * since the server wants exactly one of them for unlocked keys.
	 *
	 * @param array $args         The caller's arguments.
	 * @param bool  $always_domain Add the default domain even when a device is given.
	 */
	private static function scope( array $args, bool $always_domain ): array {
		$scope  = array();
		$device = isset( $args['device'] ) ? sanitize_text_field( (string) $args['device'] ) : '';
		if ( '' !== $device ) {
			$scope['device'] = $device;
		}
		if ( array_key_exists( 'domain', $args ) ) {
			$domain = sanitize_text_field( (string) $args['domain'] );
		} else {
			$domain = ( $always_domain || '' === $device ) ? self::site_host() : '';
		}
		if ( '' !== $domain ) {
			$scope['domain'] = $domain;
		}
		$product = isset( $args['product'] ) ? sanitize_text_field( (string) $args['product'] ) : '';
		if ( '' !== $product ) {
			$scope['product'] = $product;
		}
		return $scope;
	}

	/** This site's host, from home_url(). */
	public static function site_host(): string {
		return (string) wp_parse_url( home_url(), PHP_URL_HOST );
	}

	/**
	 * @param array $scope What was asked.
	 */
	private static function is_development( array $scope ): bool {
		$domain = $scope['domain'] ?? '';
		$host   = (string) ( wp_parse_url( str_contains( $domain, '//' ) ? $domain : '//' . $domain, PHP_URL_HOST ) ?? '' );
		return '' !== $host && Settings::is_development_host( $host );
	}

	/** Seconds the last good answer is honoured while the server is unreachable. */
	private static function grace(): int {
		/**
		 * Filters the grace period: how long, in seconds, the last valid answer is honoured while
		 * the license server cannot be reached. Default 72 hours; 0 turns it off.
		 *
		 * @param int $seconds Seconds.
		 */
		return max( 0, (int) apply_filters( 'batchkeys_grace_period', self::DEFAULT_GRACE ) );
	}

	/**
	 * Seconds left before the deadline, never less than a tenth of a second.
	 *
	 * @param float $deadline microtime() by which all must be done.
	 */
	private static function remaining( float $deadline ): float {
		return max( 0.1, $deadline - microtime( true ) );
	}
}
