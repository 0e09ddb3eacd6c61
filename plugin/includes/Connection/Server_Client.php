<?php
/**
 * HTTP client for the BatchKeys server.
 *
 * @package BatchKeys
 */

namespace BatchKeys\Connection;

use WP_Error;

defined( 'ABSPATH' ) || exit;

/**
 * Sends requests to the server with the WordPress HTTP API. It never follows redirects (the
 * token must not travel to another host) and always sets a timeout.
 */
final class Server_Client {

	/** Seconds an admin call may take: the owner is waiting on a screen. */
	public const ADMIN_TIMEOUT = 5.0;

	/**
	 * @param string      $base_url The server's base URL, no trailing slash.
	 * @param string|null $token    Admin token for `/v1/admin/*`, or null for the public API.
	 */
	public function __construct(
		private readonly string $base_url,
		private readonly ?string $token = null
	) {}

	/** A client for the saved connection. */
	public static function from_settings(): self {
		return new self( Settings::server_url(), Settings::token() );
	}

	/** True when there is a server URL to call. */
	public function configured(): bool {
		return '' !== $this->base_url;
	}

	/**
	 * Sends one request.
	 *
	 * @param string     $method  HTTP method.
	 * @param string     $path    Path starting with `/v1/`.
	 * @param array      $query   Query parameters.
	 * @param array|null $body    JSON body (objects as arrays or stdClass), or null for none.
	 * @param float      $timeout Seconds before giving up.
	 * @return Server_Response|WP_Error WP_Error only when no HTTP answer arrived.
	 */
	public function request( string $method, string $path, array $query = array(), $body = null, float $timeout = self::ADMIN_TIMEOUT ) {
		if ( ! $this->configured() ) {
			return new WP_Error( 'batchkeys_not_configured', __( 'No BatchKeys server is set up yet: enter its address on the BatchKeys settings page.', 'batchkeys' ), array( 'status' => 503 ) );
		}
		$url = $this->base_url . $path;
		if ( array() !== $query ) {
			$url .= '?' . http_build_query( $query, '', '&', PHP_QUERY_RFC3986 );
		}
		$headers = array(
			'Accept' => 'application/json, application/problem+json',
		);
		if ( null !== $this->token ) {
			$headers['Authorization'] = 'Bearer ' . $this->token;
		}
		$args = array(
			'method'      => strtoupper( $method ),
			'timeout'     => $timeout,
			'redirection' => 0,
			'headers'     => $headers,
			'user-agent'  => 'BatchKeys-WordPress/' . BATCHKEYS_VERSION,
		);
		if ( null !== $body ) {
			$args['headers']['Content-Type'] = 'application/json';
			$args['body']                    = wp_json_encode( $body );
		}
		$response = wp_remote_request( $url, $args );
		if ( is_wp_error( $response ) ) {
			return new WP_Error(
				'batchkeys_unreachable',
				/* translators: 1: server address, 2: the technical reason. */
				sprintf( __( 'WordPress could not reach the BatchKeys server at %1$s (%2$s).', 'batchkeys' ), $this->base_url, $response->get_error_message() ),
				array( 'status' => 502 )
			);
		}
		$raw_headers = wp_remote_retrieve_headers( $response );
		$headers     = array();
		foreach ( ( is_object( $raw_headers ) ? $raw_headers->getAll() : (array) $raw_headers ) as $name => $value ) {
			$headers[ strtolower( (string) $name ) ] = $value;
		}
		return new Server_Response( (int) wp_remote_retrieve_response_code( $response ), (string) wp_remote_retrieve_body( $response ), $headers );
	}
}
