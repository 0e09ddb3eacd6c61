<?php
/**
 * Admin API calls whose answer the plugin reads itself (rather than passing it to a screen).
 *
 * @package BatchKeys
 */

namespace BatchKeys\Privacy;

use BatchKeys\Connection\Server_Client;
use BatchKeys\Connection\Settings;
use WP_Error;

defined( 'ABSPATH' ) || exit;

/**
 * Sends one request to `/v1/admin/*` with the saved token and answers the decoded JSON object,
 * or a WP_Error carrying the server problem's code, detail and status.
 */
final class Admin_Call {

	/**
	 * @param string     $method  HTTP method.
	 * @param string     $path    Path under `/v1/admin`, starting with '/'.
	 * @param array|null $body    JSON body fields, or null.
	 * @param float      $timeout Seconds before giving up.
	 * @return array|WP_Error
	 */
	public static function send( string $method, string $path, ?array $body = null, float $timeout = Server_Client::ADMIN_TIMEOUT ) {
		if ( ! Settings::is_connected() ) {
			return new WP_Error(
				'batchkeys_not_connected',
				Settings::token_unreadable()
					? __( 'The saved BatchKeys admin token can no longer be read (the site\'s security keys changed). Enter it again on the BatchKeys settings page.', 'batchkeys' )
					: __( 'This site is not connected to a BatchKeys server. Enter the server address and an admin token on the BatchKeys settings page.', 'batchkeys' ),
				array( 'status' => 503 )
			);
		}
		$response = Server_Client::from_settings()->request( $method, '/v1/admin' . $path, array(), null === $body ? null : (object) $body, $timeout );
		if ( is_wp_error( $response ) ) {
			return $response;
		}
		$error = $response->to_error();
		if ( null !== $error ) {
			return $error;
		}
		$data = $response->json();
		if ( null === $data ) {
			return new WP_Error( 'batchkeys_bad_response', __( 'The BatchKeys server gave an answer this plugin does not understand.', 'batchkeys' ), array( 'status' => 502 ) );
		}
		return $data;
	}
}
