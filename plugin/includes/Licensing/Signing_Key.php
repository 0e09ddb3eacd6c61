<?php
/**
 * The server's Ed25519 public key and signature checks.
 *
 * @package BatchKeys
 */

namespace BatchKeys\Licensing;

use BatchKeys\Connection\Server_Client;
use BatchKeys\Connection\Server_Response;

defined( 'ABSPATH' ) || exit;

/**
 * Keeps the key from `GET /v1/signing-key` in an option (trusted on first use, per server URL)
 * and checks `BatchKeys-Signature: ed25519=<base64>` over the exact body bytes.
 */
final class Signing_Key {

	public const OPTION = 'batchkeys_signing_key';

	/**
	 * The stored public key (32 raw bytes) for `$server_url`, or null.
	 *
	 * @param string $server_url Base URL the key belongs to.
	 */
	public static function cached( string $server_url ): ?string {
		/**
		 * Filters a pinned public key (base64 of 32 bytes). When one is given, the plugin trusts
		 * only it and never fetches the key from the server.
		 *
		 * @param string|null $public_key Base64 key, or null to fetch it.
		 */
		$pinned = apply_filters( 'batchkeys_pinned_signing_key', null );
		if ( is_string( $pinned ) && '' !== $pinned ) {
			return self::decode( $pinned );
		}
		$stored = get_option( self::OPTION );
		if ( ! is_array( $stored ) || ( $stored['url'] ?? '' ) !== $server_url || ! is_string( $stored['key'] ?? null ) ) {
			return null;
		}
		return self::decode( $stored['key'] );
	}

	/** True when a pinned key is configured (refetching would be pointless). */
	public static function pinned(): bool {
		$pinned = apply_filters( 'batchkeys_pinned_signing_key', null );
		return is_string( $pinned ) && '' !== $pinned;
	}

	/**
	 * Fetches the key from the server and stores it; null when that fails.
	 *
	 * @param string $server_url Base URL.
	 * @param float  $timeout    Seconds.
	 */
	public static function fetch( string $server_url, float $timeout ): ?string {
		$response = ( new Server_Client( $server_url ) )->request( 'GET', '/v1/signing-key', array(), null, $timeout );
		if ( is_wp_error( $response ) || 200 !== $response->status ) {
			return null;
		}
		$json = $response->json();
		if ( ! is_array( $json ) || 'ed25519' !== ( $json['algorithm'] ?? '' ) || ! is_string( $json['publicKey'] ?? null ) ) {
			return null;
		}
		$key = self::decode( $json['publicKey'] );
		if ( null === $key ) {
			return null;
		}
		update_option(
			self::OPTION,
			array(
				'url'        => $server_url,
				'key'        => $json['publicKey'],
				'fetched_at' => time(),
			),
			false
		);
		return $key;
	}

	/**
	 * True when the response carries a valid signature by `$public_key`.
	 *
	 * @param Server_Response $response   The answer.
	 * @param string          $public_key 32 raw bytes.
	 */
	public static function verifies( Server_Response $response, string $public_key ): bool {
		if ( ! preg_match( '/^ed25519=([A-Za-z0-9+\/]+={0,2})$/', trim( $response->header( 'batchkeys-signature' ) ), $m ) ) {
			return false;
		}
		$signature = base64_decode( $m[1], true ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_decode -- a signature, not code.
		if ( false === $signature || SODIUM_CRYPTO_SIGN_BYTES !== strlen( $signature ) ) {
			return false;
		}
		try {
			return sodium_crypto_sign_verify_detached( $signature, $response->body, $public_key );
		} catch ( \SodiumException $e ) {
			return false;
		}
	}

	/**
	 * 32 raw bytes from base64, or null.
	 *
	 * @param string $b64 Base64 text.
	 */
	private static function decode( string $b64 ): ?string {
		$raw = base64_decode( $b64, true ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_decode -- a public key, not code.
		return false !== $raw && SODIUM_CRYPTO_SIGN_PUBLICKEYBYTES === strlen( $raw ) ? $raw : null;
	}
}
