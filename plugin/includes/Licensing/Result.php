<?php
/**
 * The answer of batchkeys_validate(), batchkeys_activate() and batchkeys_deactivate().
 *
 * @package BatchKeys
 */

namespace BatchKeys\Licensing;

defined( 'ABSPATH' ) || exit;

/**
 * A license check's outcome. `valid` is the one property most callers need; `code` is the
 * server's stable word (VALID, NOT_FOUND, SUSPENDED, ...) or one of the plugin's own
 * (NOT_CONFIGURED, SERVER_UNREACHABLE, BAD_SIGNATURE, BAD_RESPONSE, INVALID_ARGUMENT, TOO_EARLY).
 */
final class Result implements \JsonSerializable {

	/**
	 * @param bool        $valid       True when the key may be used (or the action succeeded).
	 * @param string      $code        Stable code.
	 * @param string      $detail      A sentence saying why, in English from the server.
	 * @param array|null  $license     The public license view (id, product, status, expiresAt, lock, ...), or null.
	 * @param string      $source      'server', 'cache' (a cached answer), 'grace' (last good answer while the server is unreachable) or 'local'.
	 * @param int         $checked_at  Unix time the server gave this answer (0 for local answers).
	 * @param bool        $development True when the site runs on a development host.
	 * @param array|null  $activation  For batchkeys_activate(): the activation record.
	 */
	public function __construct(
		public readonly bool $valid,
		public readonly string $code,
		public readonly string $detail,
		public readonly ?array $license = null,
		public readonly string $source = 'server',
		public readonly int $checked_at = 0,
		public readonly bool $development = false,
		public readonly ?array $activation = null
	) {}

	/**
	 * An answer made by the plugin itself, without a server answer.
	 *
	 * @param string $code   Stable code.
	 * @param string $detail Why.
	 */
	public static function local( string $code, string $detail ): self {
		return new self( false, $code, $detail, null, 'local' );
	}

	/**
	 * The same answer from another source (a cache or the grace period).
	 *
	 * @param string $source 'cache' or 'grace'.
	 */
	public function from( string $source ): self {
		return new self( $this->valid, $this->code, $this->detail, $this->license, $source, $this->checked_at, $this->development, $this->activation );
	}

	/** For storage in a transient: plain arrays survive any object cache. */
	public function to_array(): array {
		return array(
			'valid'       => $this->valid,
			'code'        => $this->code,
			'detail'      => $this->detail,
			'license'     => $this->license,
			'source'      => $this->source,
			'checked_at'  => $this->checked_at,
			'development' => $this->development,
			'activation'  => $this->activation,
		);
	}

	/**
	 * Rebuilds a stored answer; null when the value is not one.
	 *
	 * @param mixed $data What to_array() gave.
	 */
	public static function from_array( $data ): ?self {
		if ( ! is_array( $data ) || ! isset( $data['valid'], $data['code'], $data['detail'] ) ) {
			return null;
		}
		return new self(
			(bool) $data['valid'],
			(string) $data['code'],
			(string) $data['detail'],
			is_array( $data['license'] ?? null ) ? $data['license'] : null,
			(string) ( $data['source'] ?? 'server' ),
			(int) ( $data['checked_at'] ?? 0 ),
			(bool) ( $data['development'] ?? false ),
			is_array( $data['activation'] ?? null ) ? $data['activation'] : null
		);
	}

	/** @return array The result as JSON (for wp_send_json() and the like). */
	public function jsonSerialize(): array {
		return $this->to_array();
	}
}
