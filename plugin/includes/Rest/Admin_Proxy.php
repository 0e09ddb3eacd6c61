<?php
/**
 * Forwards REST calls to the server's admin API.
 *
 * @package BatchKeys
 */

namespace BatchKeys\Rest;

use BatchKeys\Connection\Server_Client;
use BatchKeys\Connection\Settings;
use WP_Error;
use WP_REST_Response;

defined( 'ABSPATH' ) || exit;

/**
 * The service between the REST controllers and the HTTP client: adds the saved token, passes
 * JSON answers through unchanged, and turns problem+json answers into WP_Error with the
 * problem's code, detail and status.
 */
final class Admin_Proxy {

	/**
	 * Sends one admin request.
	 *
	 * @param string     $method HTTP method.
	 * @param string     $path   Path under `/v1/admin`, starting with '/'.
	 * @param array      $query  Query parameters.
	 * @param array|null $body   JSON body, or null.
	 * @return WP_REST_Response|WP_Error
	 */
	public static function forward( string $method, string $path, array $query = array(), ?array $body = null ) {
		if ( ! Settings::is_connected() ) {
			return new WP_Error(
				'batchkeys_not_connected',
				Settings::token_unreadable()
					? __( 'The saved admin token can no longer be read (the site\'s security keys changed). Enter it again on the BatchKeys settings page.', 'batchkeys' )
					: __( 'This site is not connected to a BatchKeys server yet. Enter the server address and an admin token on the BatchKeys settings page.', 'batchkeys' ),
				array( 'status' => 503 )
			);
		}
		$payload  = null === $body ? null : self::as_object( $body );
		$response = Server_Client::from_settings()->request( $method, '/v1/admin' . $path, $query, $payload );
		if ( is_wp_error( $response ) ) {
			return $response;
		}
		$error = $response->to_error();
		if ( null !== $error ) {
			return $error;
		}
		if ( 204 === $response->status || '' === $response->body ) {
			return new WP_REST_Response( null, $response->status );
		}
		$data = $response->decoded();
		if ( ! is_object( $data ) ) {
			return new WP_Error( 'batchkeys_bad_response', __( 'The BatchKeys server gave an answer this plugin does not understand.', 'batchkeys' ), array( 'status' => 502 ) );
		}
		return new WP_REST_Response( $data, $response->status );
	}

	/**
	 * PHP has one array type for JSON lists and objects: a request body, and an empty
	 * `metadata`, must reach the server as objects.
	 *
	 * @param array $body The fields.
	 */
	private static function as_object( array $body ): object {
		foreach ( $body as $name => $value ) {
			if ( 'metadata' === $name && is_array( $value ) && array() === $value ) {
				$body[ $name ] = new \stdClass();
			}
		}
		return (object) $body;
	}
}
