<?php
/**
 * One HTTP answer from the BatchKeys server.
 *
 * @package BatchKeys
 */

namespace BatchKeys\Connection;

use WP_Error;

defined( 'ABSPATH' ) || exit;

/**
 * The status, the exact body bytes (signatures cover them) and the headers of an answer.
 */
final class Server_Response {

	/**
	 * @param int    $status  HTTP status.
	 * @param string $body    The body exactly as received.
	 * @param array  $headers Header values by lower-case name.
	 */
	public function __construct(
		public readonly int $status,
		public readonly string $body,
		private readonly array $headers
	) {}

	/**
	 * One header's value, or '' when absent.
	 *
	 * @param string $name Header name, any case.
	 */
	public function header( string $name ): string {
		$value = $this->headers[ strtolower( $name ) ] ?? '';
		return is_array( $value ) ? (string) end( $value ) : (string) $value;
	}

	/** The body decoded as a JSON object, or null when it is not one. */
	public function json(): ?array {
		if ( '' === $this->body ) {
			return null;
		}
		$data = json_decode( $this->body, true );
		return is_array( $data ) ? $data : null;
	}

	/**
	 * The body decoded with JSON objects as stdClass, so `{}` stays `{}` when passed on; null
	 * when the body is not JSON.
	 *
	 * @return mixed
	 */
	public function decoded() {
		if ( '' === $this->body ) {
			return null;
		}
		return json_decode( $this->body, false );
	}

	/** True for a 2xx answer. */
	public function ok(): bool {
		return $this->status >= 200 && $this->status < 300;
	}

	/**
	 * The answer as a WP_Error when it is a problem+json (or any error); null for a success.
	 * The problem's `code` and `detail` become the error's code and message.
	 */
	public function to_error(): ?WP_Error {
		if ( $this->ok() ) {
			return null;
		}
		$problem = $this->json();
		if ( is_array( $problem ) && isset( $problem['code'] ) && is_string( $problem['code'] ) ) {
			$data = array( 'status' => $this->status );
			if ( isset( $problem['errors'] ) && is_array( $problem['errors'] ) ) {
				$data['errors'] = $problem['errors'];
			}
			$detail = isset( $problem['detail'] ) && is_string( $problem['detail'] ) ? $problem['detail'] : (string) ( $problem['title'] ?? $problem['code'] );
			return new WP_Error( $problem['code'], $detail, $data );
		}
		return new WP_Error(
			'batchkeys_bad_response',
			/* translators: %d: HTTP status code. */
			sprintf( __( 'The BatchKeys server answered with HTTP status %d and no explanation.', 'batchkeys' ), $this->status ),
			array( 'status' => 502 )
		);
	}
}
