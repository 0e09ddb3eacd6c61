<?php
/**
 * Encryption of the admin token at rest.
 *
 * @package BatchKeys
 */

namespace BatchKeys\Connection;

defined( 'ABSPATH' ) || exit;

/**
 * Seals secrets with sodium's secretbox (XSalsa20-Poly1305) under a key derived from the site's
 * salts, so a database dump alone does not reveal the token. Changing the salts makes old
 * secrets unreadable: the owner then enters the token again.
 */
final class Secret_Box {

	private const PREFIX = 'bk1:';

	/**
	 * Encrypts `$plain`; the result is printable and safe to keep in an option.
	 *
	 * @param string $plain The secret.
	 */
	public static function seal( string $plain ): string {
		$nonce  = random_bytes( SODIUM_CRYPTO_SECRETBOX_NONCEBYTES );
		$key    = self::key();
		$sealed = sodium_crypto_secretbox( $plain, $nonce, $key );
		sodium_memzero( $key );
		return self::PREFIX . sodium_bin2base64( $nonce . $sealed, SODIUM_BASE64_VARIANT_ORIGINAL );
	}

	/**
	 * Decrypts what `seal()` made; null when it cannot (other salts, damaged value).
	 *
	 * @param string $sealed The stored value.
	 */
	public static function open( string $sealed ): ?string {
		if ( ! str_starts_with( $sealed, self::PREFIX ) ) {
			return null;
		}
		try {
			$raw = sodium_base642bin( substr( $sealed, strlen( self::PREFIX ) ), SODIUM_BASE64_VARIANT_ORIGINAL );
		} catch ( \SodiumException $e ) {
			return null;
		}
		if ( strlen( $raw ) < SODIUM_CRYPTO_SECRETBOX_NONCEBYTES + SODIUM_CRYPTO_SECRETBOX_MACBYTES ) {
			return null;
		}
		$key   = self::key();
		$plain = sodium_crypto_secretbox_open(
			substr( $raw, SODIUM_CRYPTO_SECRETBOX_NONCEBYTES ),
			substr( $raw, 0, SODIUM_CRYPTO_SECRETBOX_NONCEBYTES ),
			$key
		);
		sodium_memzero( $key );
		return false === $plain ? null : $plain;
	}

	/** A 32-byte key bound to this site's salts and to this purpose. */
	private static function key(): string {
		return sodium_crypto_generichash( 'batchkeys-admin-token|' . wp_salt( 'auth' ), '', SODIUM_CRYPTO_SECRETBOX_KEYBYTES );
	}
}
