<?php
/**
 * REST routes for the connection settings.
 *
 * @package BatchKeys
 */

namespace BatchKeys\Rest;

use BatchKeys\Connection\Connection_Tester;
use BatchKeys\Connection\Settings;
use WP_REST_Request;
use WP_REST_Response;
use WP_REST_Server;

defined( 'ABSPATH' ) || exit;

/**
 * `/settings` and `/settings/test`. The token is write-only: answers say only whether one is set.
 */
final class Settings_Controller extends Controller {

	/**
	 * Keeps a token as typed apart from surrounding spaces: sanitize_text_field() would strip
	 * sequences such as "%ab" that a token may contain. The schema's pattern allows printable
	 * ASCII only.
	 *
	 * @param mixed $value The token.
	 * @return mixed
	 */
	public static function sanitize_token( $value ) {
		return is_string( $value ) ? trim( $value ) : $value;
	}

	/** The token argument. */
	private function token_arg(): array {
		return array(
			'description'       => __( 'Admin token of the BatchKeys server; null removes it. Never returned.', 'batchkeys' ),
			'type'              => array( 'string', 'null' ),
			'maxLength'         => 512,
			'pattern'           => '^\s*[\x21-\x7E]*\s*$',
			'sanitize_callback' => array( self::class, 'sanitize_token' ),
			'validate_callback' => 'rest_validate_request_arg',
		);
	}

	/** Registers the routes. */
	public function register_routes(): void {
		$this->route(
			'/settings',
			array(
				array(
					'methods'  => WP_REST_Server::READABLE,
					'callback' => fn() => new WP_REST_Response( Settings::to_rest() ),
					'args'     => array(),
				),
				array(
					'methods'  => WP_REST_Server::EDITABLE,
					'callback' => array( $this, 'save' ),
					'args'     => array(
						'serverUrl'     => array(
							'type'              => 'string',
							'maxLength'         => 2048,
							'sanitize_callback' => 'esc_url_raw',
							'validate_callback' => 'rest_validate_request_arg',
						),
						'token'         => $this->token_arg(),
						'devHosts'      => array(
							'type'              => 'array',
							'items'             => array(
								'type'      => 'string',
								'maxLength' => 253,
							),
							'maxItems'          => 50,
							'sanitize_callback' => 'rest_sanitize_request_arg',
							'validate_callback' => 'rest_validate_request_arg',
						),
						'cacheLifetime' => $this->integer( 0, Settings::MAX_CACHE_LIFETIME ),
					),
				),
			)
		);
		$this->route(
			'/settings/test',
			array(
				array(
					'methods'  => WP_REST_Server::CREATABLE,
					'callback' => array( $this, 'test' ),
					'args'     => array(
						'serverUrl' => array(
							'type'              => 'string',
							'maxLength'         => 2048,
							'sanitize_callback' => 'esc_url_raw',
							'validate_callback' => 'rest_validate_request_arg',
						),
						'token'     => $this->token_arg(),
					),
				),
			)
		);
	}

	/**
	 * POST /settings. An absent or empty token keeps the saved one.
	 *
	 * @param WP_REST_Request $request The request.
	 */
	public function save( WP_REST_Request $request ) {
		$fields  = $this->body_fields( $request, array( 'serverUrl', 'token', 'devHosts', 'cacheLifetime' ) );
		$changes = array();
		if ( array_key_exists( 'serverUrl', $fields ) ) {
			$changes['server_url'] = (string) $fields['serverUrl'];
		}
		if ( array_key_exists( 'token', $fields ) && '' !== $fields['token'] ) {
			$changes['token'] = $fields['token'];
		}
		if ( array_key_exists( 'devHosts', $fields ) ) {
			$changes['dev_hosts'] = (array) $fields['devHosts'];
		}
		if ( array_key_exists( 'cacheLifetime', $fields ) ) {
			$changes['cache_lifetime'] = $fields['cacheLifetime'];
		}
		$saved = Settings::save( $changes );
		if ( is_wp_error( $saved ) ) {
			return $saved;
		}
		return new WP_REST_Response( Settings::to_rest() );
	}

	/**
	 * POST /settings/test: tests the given (or saved) URL and token.
	 *
	 * @param WP_REST_Request $request The request.
	 */
	public function test( WP_REST_Request $request ): WP_REST_Response {
		$fields = $this->body_fields( $request, array( 'serverUrl', 'token' ) );
		$url    = isset( $fields['serverUrl'] ) && '' !== $fields['serverUrl'] ? (string) $fields['serverUrl'] : null;
		$token  = isset( $fields['token'] ) && '' !== $fields['token'] ? (string) $fields['token'] : null;
		return new WP_REST_Response( Connection_Tester::test( $url, $token ) );
	}
}
