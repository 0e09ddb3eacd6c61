<?php
/**
 * Shared parts of the plugin's REST controllers.
 *
 * @package BatchKeys
 */

namespace BatchKeys\Rest;

use BatchKeys\Lifecycle;
use WP_Error;
use WP_REST_Request;

defined( 'ABSPATH' ) || exit;

/**
 * Permission check and argument schemas used by every route under `batchkeys/v1`.
 */
abstract class Controller {

	public const REST_NAMESPACE = 'batchkeys/v1';

	/** Server ids (lic_..., prd_...) and product slugs. */
	protected const ID_PATTERN = '[A-Za-z0-9_-]{1,128}';

	/** Registers the controller's routes. */
	abstract public function register_routes(): void;

	/**
	 * Only users with `manage_batchkeys`; the core REST nonce establishes who they are.
	 *
	 * @return true|WP_Error
	 */
	public function permission() {
		if ( current_user_can( Lifecycle::CAPABILITY ) ) {
			return true;
		}
		return new WP_Error(
			'rest_forbidden',
			__( 'Sorry, you are not allowed to manage license keys.', 'batchkeys' ),
			array( 'status' => rest_authorization_required_code() )
		);
	}

	/**
	 * Sanitises a text argument after the schema check (null and non-strings pass unchanged).
	 *
	 * @param mixed           $value   The value.
	 * @param WP_REST_Request $request The request.
	 * @param string          $param   The argument's name.
	 * @return mixed
	 */
	public static function sanitize_text( $value, $request, $param ) {
		$value = rest_sanitize_request_arg( $value, $request, $param );
		return is_string( $value ) ? sanitize_text_field( $value ) : $value;
	}

	/** The `{id}` path argument. */
	protected function id_arg(): array {
		return array(
			'description'       => __( 'Identifier on the BatchKeys server.', 'batchkeys' ),
			'type'              => 'string',
			'pattern'           => '^' . self::ID_PATTERN . '$',
			'required'          => true,
			'sanitize_callback' => array( self::class, 'sanitize_text' ),
			'validate_callback' => 'rest_validate_request_arg',
		);
	}

	/**
	 * A text argument.
	 *
	 * @param int  $max_length Longest value.
	 * @param bool $nullable   Whether null is allowed (to clear a field).
	 * @param array $extra     More schema (enum, format, required...).
	 */
	protected function text( int $max_length, bool $nullable = false, array $extra = array() ): array {
		return $extra + array(
			'type'              => $nullable ? array( 'string', 'null' ) : 'string',
			'maxLength'         => $max_length,
			'sanitize_callback' => array( self::class, 'sanitize_text' ),
			'validate_callback' => 'rest_validate_request_arg',
		);
	}

	/**
	 * An integer argument.
	 *
	 * @param int  $min      Smallest value.
	 * @param int  $max      Largest value.
	 * @param bool $nullable Whether null is allowed (null means "unlimited" on the server).
	 */
	protected function integer( int $min, int $max, bool $nullable = false ): array {
		return array(
			'type'              => $nullable ? array( 'integer', 'null' ) : 'integer',
			'minimum'           => $min,
			'maximum'           => $max,
			'sanitize_callback' => 'rest_sanitize_request_arg',
			'validate_callback' => 'rest_validate_request_arg',
		);
	}

	/**
	 * One of a few words.
	 *
	 * @param string[] $values Allowed values.
	 */
	protected function choice( array $values ): array {
		return array(
			'type'              => 'string',
			'enum'              => $values,
			'sanitize_callback' => 'rest_sanitize_request_arg',
			'validate_callback' => 'rest_validate_request_arg',
		);
	}

	/** A free-form JSON object (license and product metadata). */
	protected function json_object(): array {
		return array(
			'type'              => 'object',
			'sanitize_callback' => 'rest_sanitize_request_arg',
			'validate_callback' => 'rest_validate_request_arg',
		);
	}

	/**
	 * The declared body fields the caller sent, after sanitising; unknown fields are dropped.
	 *
	 * @param WP_REST_Request $request The request.
	 * @param string[]        $names   Field names to pass on.
	 */
	protected function body_fields( WP_REST_Request $request, array $names ): array {
		$sent = $request->get_json_params();
		if ( ! is_array( $sent ) ) {
			$sent = $request->get_body_params();
		}
		$body = array();
		foreach ( $names as $name ) {
			if ( array_key_exists( $name, $sent ) ) {
				$body[ $name ] = $request->get_param( $name );
			}
		}
		return $body;
	}

	/**
	 * The declared query parameters the caller sent, after sanitising.
	 *
	 * @param WP_REST_Request $request The request.
	 * @param string[]        $names   Parameter names to pass on.
	 */
	protected function query_fields( WP_REST_Request $request, array $names ): array {
		$query = array();
		foreach ( $names as $name ) {
			$value = $request->get_param( $name );
			if ( null !== $value && '' !== $value ) {
				$query[ $name ] = is_bool( $value ) ? ( $value ? 'true' : 'false' ) : $value;
			}
		}
		return $query;
	}

	/**
	 * One route with its endpoints; every endpoint gets the permission check.
	 *
	 * @param string $route     Route pattern under the namespace.
	 * @param array  $endpoints Endpoints (methods, callback, args).
	 */
	protected function route( string $route, array $endpoints ): void {
		foreach ( $endpoints as &$endpoint ) {
			$endpoint['permission_callback'] = array( $this, 'permission' );
			$endpoint['args']              ??= array();
		}
		unset( $endpoint );
		register_rest_route( self::REST_NAMESPACE, $route, $endpoints );
	}
}
