<?php
/**
 * The connection settings: server URL, admin token, development hosts, cache lifetime.
 *
 * @package BatchKeys
 */

namespace BatchKeys\Connection;

use WP_Error;

defined( 'ABSPATH' ) || exit;

/**
 * Reads and writes the plugin's settings. The token is kept sealed (see Secret_Box) in an option
 * of its own that is never autoloaded, and no method here hands it to anything but the client.
 */
final class Settings {

	public const OPTION       = 'batchkeys_settings';
	public const TOKEN_OPTION = 'batchkeys_token';
	/** What the last connection test learnt about the token's scope: 'admin', 'limited' or ''. */
	public const SCOPE_OPTION = 'batchkeys_token_scope';

	public const DEFAULT_CACHE_LIFETIME = 3600;
	public const MAX_CACHE_LIFETIME     = WEEK_IN_SECONDS;
	private const MAX_DEV_HOSTS         = 50;

	/** The server's base URL without a trailing slash, or '' when not set. */
	public static function server_url(): string {
		$url = self::all()['server_url'];
		/**
		 * Filters the BatchKeys server URL (for example to point a staging copy elsewhere).
		 *
		 * @param string $url The saved URL.
		 */
		return untrailingslashit( (string) apply_filters( 'batchkeys_server_url', $url ) );
	}

	/** The admin token in plain text, or null when none is saved or it cannot be decrypted. */
	public static function token(): ?string {
		$sealed = get_option( self::TOKEN_OPTION, '' );
		if ( ! is_string( $sealed ) || '' === $sealed ) {
			return null;
		}
		return Secret_Box::open( $sealed );
	}

	/** True when a token is saved and readable. */
	public static function token_set(): bool {
		return null !== self::token();
	}

	/** True when a token is saved but cannot be decrypted any more (the salts changed). */
	public static function token_unreadable(): bool {
		$sealed = get_option( self::TOKEN_OPTION, '' );
		return is_string( $sealed ) && '' !== $sealed && null === Secret_Box::open( $sealed );
	}

	/** Both a server URL and a readable token are saved. */
	public static function is_connected(): bool {
		return '' !== self::server_url() && self::token_set();
	}

	/**
	 * Host patterns (such as `*.wpengine.com`) that mark a development copy of a site.
	 *
	 * @return string[]
	 */
	public static function dev_hosts(): array {
		return self::all()['dev_hosts'];
	}

	/** Seconds a license check is cached; 0 turns the cache off. */
	public static function cache_lifetime(): int {
		/**
		 * Filters how long, in seconds, a `batchkeys_validate()` answer is cached.
		 *
		 * @param int $seconds The saved lifetime.
		 */
		$seconds = (int) apply_filters( 'batchkeys_cache_lifetime', self::all()['cache_lifetime'] );
		return max( 0, min( self::MAX_CACHE_LIFETIME, $seconds ) );
	}

	/** The settings as the REST API shows them: the token only as "set or not". */
	public static function to_rest(): array {
		$all = self::all();
		return array(
			'serverUrl'     => $all['server_url'],
			'tokenSet'      => self::token_set(),
			'devHosts'      => $all['dev_hosts'],
			'cacheLifetime' => $all['cache_lifetime'],
		);
	}

	/**
	 * Validates and saves any of `server_url`, `token` (null clears it), `dev_hosts`, `cache_lifetime`.
	 *
	 * @param array $changes The values to change; absent keys are kept.
	 * @return true|WP_Error
	 */
	public static function save( array $changes ) {
		$all = self::all();
		if ( array_key_exists( 'server_url', $changes ) ) {
			$url = self::clean_server_url( (string) $changes['server_url'] );
			if ( $url instanceof WP_Error ) {
				return $url;
			}
			if ( $url !== $all['server_url'] ) {
				// Another server signs with another key and knows other tokens.
				delete_option( \BatchKeys\Licensing\Signing_Key::OPTION );
				delete_option( self::SCOPE_OPTION );
				\BatchKeys\Licensing\Result_Cache::flush();
			}
			$all['server_url'] = $url;
		}
		if ( array_key_exists( 'dev_hosts', $changes ) ) {
			$hosts = self::clean_dev_hosts( $changes['dev_hosts'] );
			if ( $hosts instanceof WP_Error ) {
				return $hosts;
			}
			$all['dev_hosts'] = $hosts;
		}
		if ( array_key_exists( 'cache_lifetime', $changes ) ) {
			$seconds = filter_var( $changes['cache_lifetime'], FILTER_VALIDATE_INT );
			if ( false === $seconds || $seconds < 0 || $seconds > self::MAX_CACHE_LIFETIME ) {
				return new WP_Error(
					'batchkeys_invalid_cache_lifetime',
					/* translators: %d: the largest number of seconds allowed. */
					sprintf( __( 'The cache lifetime must be a number of seconds from 0 to %d.', 'batchkeys' ), self::MAX_CACHE_LIFETIME ),
					array( 'status' => 400 )
				);
			}
			$all['cache_lifetime'] = $seconds;
		}
		if ( array_key_exists( 'token', $changes ) ) {
			$token = $changes['token'];
			if ( null === $token ) {
				delete_option( self::TOKEN_OPTION );
				delete_option( self::SCOPE_OPTION );
			} else {
				$token = trim( (string) $token );
				if ( '' === $token || strlen( $token ) > 512 || ! preg_match( '/^[\x21-\x7E]+$/', $token ) ) {
					return new WP_Error( 'batchkeys_invalid_token', __( 'The admin token must be the token the server gave you, without spaces.', 'batchkeys' ), array( 'status' => 400 ) );
				}
				update_option( self::TOKEN_OPTION, Secret_Box::seal( $token ), false );
				delete_option( self::SCOPE_OPTION );
			}
		}
		update_option( self::OPTION, $all, true );
		return true;
	}

	/**
	 * Records whether the token can use admin-scope endpoints (learnt by the connection test).
	 *
	 * @param string $scope 'admin', 'limited' or ''.
	 */
	public static function remember_scope( string $scope ): void {
		update_option( self::SCOPE_OPTION, $scope, false );
	}

	/** False only when a connection test found the token lacks the admin scope. */
	public static function token_may_reveal(): bool {
		return 'limited' !== get_option( self::SCOPE_OPTION, '' );
	}

	/**
	 * True when `$host` is a development copy: one of the saved patterns, or a host the server
	 * itself treats as development (localhost, *.local, *.test, staging.* and the like).
	 *
	 * @param string $host A host name.
	 */
	public static function is_development_host( string $host ): bool {
		$host = strtolower( rtrim( $host, '.' ) );
		if ( '' === $host ) {
			return false;
		}
		if ( 'localhost' === $host ) {
			return true;
		}
		$ip = trim( $host, '[]' );
		if ( false !== filter_var( $ip, FILTER_VALIDATE_IP ) ) {
			// Loopback, private and reserved addresses are development; public ones are not.
			return false === filter_var( $ip, FILTER_VALIDATE_IP, FILTER_FLAG_NO_PRIV_RANGE | FILTER_FLAG_NO_RES_RANGE );
		}
		if ( preg_match( '/\.(localhost|local|test|example|invalid)$/', $host ) ) {
			return true;
		}
		$labels = explode( '.', $host );
		if ( count( $labels ) >= 3 && in_array( $labels[0], array( 'staging', 'dev' ), true ) ) {
			return true;
		}
		foreach ( self::dev_hosts() as $pattern ) {
			$regex = '/^' . str_replace( '\*', '[a-z0-9.-]*', preg_quote( $pattern, '/' ) ) . '$/';
			if ( preg_match( $regex, $host ) ) {
				return true;
			}
		}
		return false;
	}

	/** The saved settings with defaults filled in. */
	private static function all(): array {
		$saved = get_option( self::OPTION, array() );
		$saved = is_array( $saved ) ? $saved : array();
		return array(
			'server_url'     => isset( $saved['server_url'] ) && is_string( $saved['server_url'] ) ? $saved['server_url'] : '',
			'dev_hosts'      => isset( $saved['dev_hosts'] ) && is_array( $saved['dev_hosts'] ) ? array_values( array_filter( $saved['dev_hosts'], 'is_string' ) ) : array(),
			'cache_lifetime' => isset( $saved['cache_lifetime'] ) ? (int) $saved['cache_lifetime'] : self::DEFAULT_CACHE_LIFETIME,
		);
	}

	/**
	 * An http(s) URL without credentials, query or fragment, and without a trailing slash.
	 *
	 * @param string $url The URL typed by the owner.
	 * @return string|WP_Error
	 */
	private static function clean_server_url( string $url ) {
		$url = trim( $url );
		if ( '' === $url ) {
			return '';
		}
		$parts = wp_parse_url( $url );
		$ok    = is_array( $parts )
			&& isset( $parts['scheme'], $parts['host'] )
			&& in_array( strtolower( $parts['scheme'] ), array( 'http', 'https' ), true )
			&& ! isset( $parts['user'] ) && ! isset( $parts['pass'] ) && ! isset( $parts['query'] ) && ! isset( $parts['fragment'] )
			&& preg_match( '/^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.?|\[[0-9a-f:.]+\])$/i', $parts['host'] )
			&& strlen( $url ) <= 2048;
		if ( ! $ok ) {
			return new WP_Error( 'batchkeys_invalid_server_url', __( 'The server URL must be a web address such as https://licenses.example.com, without a query string.', 'batchkeys' ), array( 'status' => 400 ) );
		}
		return untrailingslashit( esc_url_raw( $url, array( 'http', 'https' ) ) );
	}

	/**
	 * Host patterns: letters, digits, dots, dashes and `*` wildcards.
	 *
	 * @param mixed $hosts A list of patterns, or one string with commas or new lines.
	 * @return string[]|WP_Error
	 */
	private static function clean_dev_hosts( $hosts ) {
		if ( is_string( $hosts ) ) {
			$hosts = preg_split( '/[\s,]+/', $hosts );
		}
		if ( ! is_array( $hosts ) ) {
			$hosts = array();
		}
		$clean = array();
		foreach ( $hosts as $host ) {
			$host = strtolower( trim( (string) $host ) );
			if ( '' === $host ) {
				continue;
			}
			if ( strlen( $host ) > 253 || ! preg_match( '/^[a-z0-9*](?:[a-z0-9.*-]*[a-z0-9*])?$/', $host ) ) {
				return new WP_Error(
					'batchkeys_invalid_dev_host',
					/* translators: %s: the host pattern that was refused. */
					sprintf( __( '"%s" is not a host pattern: use a host name, with * for any part, such as *.staging.example.com.', 'batchkeys' ), $host ),
					array( 'status' => 400 )
				);
			}
			$clean[ $host ] = $host;
		}
		if ( count( $clean ) > self::MAX_DEV_HOSTS ) {
			return new WP_Error( 'batchkeys_invalid_dev_host', __( 'Give at most 50 development host patterns.', 'batchkeys' ), array( 'status' => 400 ) );
		}
		return array_values( $clean );
	}
}
