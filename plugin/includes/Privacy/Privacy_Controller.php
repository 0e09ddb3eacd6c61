<?php
/**
 * REST routes of the Privacy screen.
 *
 * @package BatchKeys
 */

namespace BatchKeys\Privacy;

use BatchKeys\Rest\Admin_Proxy;
use BatchKeys\Rest\Controller;
use WP_Error;
use WP_REST_Request;
use WP_REST_Response;
use WP_REST_Server;

defined( 'ABSPATH' ) || exit;

/**
 * `/privacy/*`: the inventory, the comment retention settings and run, and the server's
 * data-subject requests, breach reports and API shutdown passed through like the other proxies.
 */
final class Privacy_Controller extends Controller {

	private const SUBJECT_KINDS = array( 'email', 'ip', 'domain', 'device' );

	/** Registers the routes. */
	public function register_routes(): void {
		$this->route(
			'/privacy/overview',
			array(
				array(
					'methods'  => WP_REST_Server::READABLE,
					'callback' => array( $this, 'overview' ),
				),
			)
		);
		$this->route(
			'/privacy/comments',
			array(
				array(
					'methods'  => WP_REST_Server::READABLE,
					'callback' => fn() => new WP_REST_Response( Comment_Privacy::to_rest() ),
				),
				array(
					'methods'  => WP_REST_Server::CREATABLE,
					'callback' => array( $this, 'save_comments' ),
					'args'     => array(
						'retentionDays'  => $this->integer( 0, Comment_Privacy::MAX_DAYS ),
						'storeIp'        => $this->boolean(),
						'storeUserAgent' => $this->boolean(),
					),
				),
			)
		);
		$this->route(
			'/privacy/comments/run',
			array(
				array(
					'methods'  => WP_REST_Server::CREATABLE,
					'callback' => array( $this, 'run_comments' ),
				),
			)
		);
		$this->route(
			'/privacy/requests',
			array(
				array(
					'methods'  => WP_REST_Server::READABLE,
					'callback' => array( $this, 'list_requests' ),
					'args'     => array(
						'status'  => $this->choice( array( 'open', 'completed' ) ),
						'overdue' => $this->boolean(),
						'cursor'  => $this->text( 64 ),
						'limit'   => $this->integer( 1, 500 ),
					),
				),
				array(
					'methods'  => WP_REST_Server::CREATABLE,
					'callback' => array( $this, 'create_request' ),
					'args'     => array(
						'kind'        => $this->choice( array( 'access', 'export', 'rectify', 'erase' ) ) + array( 'required' => true ),
						'subject'     => array(
							'type'                 => 'object',
							'required'             => true,
							'properties'           => array(
								'kind'  => array(
									'type'     => 'string',
									'enum'     => self::SUBJECT_KINDS,
									'required' => true,
								),
								'value' => array(
									'type'      => 'string',
									'minLength' => 1,
									'maxLength' => 320,
									'required'  => true,
								),
							),
							'additionalProperties' => false,
							'sanitize_callback'    => array( self::class, 'sanitize_subject' ),
							'validate_callback'    => 'rest_validate_request_arg',
						),
						'receivedAt'  => $this->text( 40 ),
						'instruction' => array(
							'type'              => 'string',
							'maxLength'         => 2000,
							'sanitize_callback' => array( self::class, 'sanitize_multiline' ),
							'validate_callback' => 'rest_validate_request_arg',
						),
					),
				),
			)
		);
		$this->route(
			'/privacy/requests/(?P<id>' . self::ID_PATTERN . ')/complete',
			array(
				array(
					'methods'  => WP_REST_Server::CREATABLE,
					'callback' => array( $this, 'complete_request' ),
					'args'     => array(
						'id'       => $this->id_arg(),
						'artefact' => $this->json_object(),
						'rectify'  => array(
							'type'                 => 'object',
							'properties'           => array(
								'email' => array(
									'type'      => 'string',
									'maxLength' => 254,
								),
								'name'  => array(
									'type'      => 'string',
									'maxLength' => 200,
								),
							),
							'additionalProperties' => false,
							'sanitize_callback'    => array( self::class, 'sanitize_rectify' ),
							'validate_callback'    => 'rest_validate_request_arg',
						),
					),
				),
			)
		);
		$this->route(
			'/privacy/breach-reports',
			array(
				array(
					'methods'  => WP_REST_Server::CREATABLE,
					'callback' => array( $this, 'breach_report' ),
					'args'     => array(
						'from'    => $this->text( 40, false, array( 'required' => true ) ),
						'to'      => $this->text( 40, false, array( 'required' => true ) ),
						'awareAt' => $this->text( 40 ),
						'token'   => $this->text( 64 ),
						'ip'      => $this->text( 64 ),
					),
				),
			)
		);
		$this->route(
			'/privacy/api-access',
			array(
				array(
					'methods'  => WP_REST_Server::CREATABLE,
					'callback' => array( $this, 'api_access' ),
					'args'     => array(
						'suspend' => $this->boolean() + array( 'required' => true ),
					),
				),
			)
		);
	}

	/** A boolean argument. */
	private function boolean(): array {
		return array(
			'type'              => 'boolean',
			'sanitize_callback' => 'rest_sanitize_request_arg',
			'validate_callback' => 'rest_validate_request_arg',
		);
	}

	/**
	 * The subject of a request: its kind and value as text.
	 *
	 * @param mixed           $value   The value.
	 * @param WP_REST_Request $request The request.
	 * @param string          $param   The argument's name.
	 * @return mixed
	 */
	public static function sanitize_subject( $value, $request, $param ) {
		$value = rest_sanitize_request_arg( $value, $request, $param );
		if ( ! is_array( $value ) ) {
			return $value;
		}
		return array(
			'kind'  => sanitize_key( (string) ( $value['kind'] ?? '' ) ),
			'value' => sanitize_text_field( (string) ( $value['value'] ?? '' ) ),
		);
	}

	/**
	 * Rectified licensee fields: an email and a name.
	 *
	 * @param mixed           $value   The value.
	 * @param WP_REST_Request $request The request.
	 * @param string          $param   The argument's name.
	 * @return mixed
	 */
	public static function sanitize_rectify( $value, $request, $param ) {
		$value = rest_sanitize_request_arg( $value, $request, $param );
		if ( ! is_array( $value ) ) {
			return $value;
		}
		$clean = array();
		if ( isset( $value['email'] ) ) {
			$clean['email'] = sanitize_email( (string) $value['email'] );
		}
		if ( isset( $value['name'] ) ) {
			$clean['name'] = sanitize_text_field( (string) $value['name'] );
		}
		return $clean;
	}

	/**
	 * Text that may span lines (the controller's instruction).
	 *
	 * @param mixed           $value   The value.
	 * @param WP_REST_Request $request The request.
	 * @param string          $param   The argument's name.
	 * @return mixed
	 */
	public static function sanitize_multiline( $value, $request, $param ) {
		$value = rest_sanitize_request_arg( $value, $request, $param );
		return is_string( $value ) ? sanitize_textarea_field( $value ) : $value;
	}

	/** GET /privacy/overview. */
	public function overview(): WP_REST_Response {
		Policy_Text::maybe_refresh();
		$facts   = Policy_Text::server_facts();
		$account = null;
		$error   = null;
		$answer  = Admin_Call::send( 'GET', '/account' );
		if ( is_wp_error( $answer ) ) {
			$error = array(
				'code'    => $answer->get_error_code(),
				'message' => $answer->get_error_message(),
			);
		} elseif ( isset( $answer['account'] ) && is_array( $answer['account'] ) ) {
			$a       = $answer['account'];
			$account = array(
				'id'             => (string) ( $a['id'] ?? '' ),
				'name'           => (string) ( $a['name'] ?? '' ),
				'operator'       => (bool) ( $a['operator'] ?? false ),
				'apiSuspendedAt' => isset( $a['apiSuspendedAt'] ) && is_string( $a['apiSuspendedAt'] ) ? $a['apiSuspendedAt'] : null,
			);
		}
		$fetched = Policy_Text::fetched_at();
		return new WP_REST_Response(
			array(
				'inventory'       => array_merge( $facts ?? array(), array( 'comments' => Comment_Privacy::to_rest() ) ),
				'serverPolicy'    => array(
					'available' => null !== $facts,
					'fetchedAt' => $fetched > 0 ? gmdate( 'Y-m-d\TH:i:s\Z', $fetched ) : null,
				),
				'policyUrl'       => admin_url( 'options-privacy.php?tab=policyguide' ),
				'account'         => $account,
				'accountError'    => $error,
			)
		);
	}

	/**
	 * POST /privacy/comments.
	 *
	 * @param WP_REST_Request $request The request.
	 * @return WP_REST_Response|WP_Error
	 */
	public function save_comments( WP_REST_Request $request ) {
		$fields  = $this->body_fields( $request, array( 'retentionDays', 'storeIp', 'storeUserAgent' ) );
		$changes = array();
		$map     = array(
			'retentionDays'  => 'retention_days',
			'storeIp'        => 'store_ip',
			'storeUserAgent' => 'store_user_agent',
		);
		foreach ( $map as $rest => $name ) {
			if ( array_key_exists( $rest, $fields ) && null !== $fields[ $rest ] ) {
				$changes[ $name ] = $fields[ $rest ];
			}
		}
		$saved = Comment_Privacy::save( $changes );
		if ( is_wp_error( $saved ) ) {
			return $saved;
		}
		return new WP_REST_Response( Comment_Privacy::to_rest() );
	}

	/** POST /privacy/comments/run: one pass now, the same code as the daily event. */
	public function run_comments(): WP_REST_Response {
		$result = Comment_Privacy::run( 10.0 );
		return new WP_REST_Response(
			array(
				'anonymised' => $result['anonymised'],
				'more'       => $result['more'],
				'comments'   => Comment_Privacy::to_rest(),
			)
		);
	}

	/**
	 * GET /privacy/requests.
	 *
	 * @param WP_REST_Request $request The request.
	 */
	public function list_requests( WP_REST_Request $request ) {
		return Admin_Proxy::forward( 'GET', '/privacy/requests', $this->query_fields( $request, array( 'status', 'overdue', 'cursor', 'limit' ) ) );
	}

	/**
	 * POST /privacy/requests. A date without a time ("2026-11-01", what a date field gives) means
	 * the start of that day in UTC.
	 *
	 * @param WP_REST_Request $request The request.
	 */
	public function create_request( WP_REST_Request $request ) {
		$body = $this->body_fields( $request, array( 'kind', 'subject', 'receivedAt', 'instruction' ) );
		if ( isset( $body['receivedAt'] ) && is_string( $body['receivedAt'] ) && preg_match( '/^\d{4}-\d{2}-\d{2}$/', $body['receivedAt'] ) ) {
			$body['receivedAt'] .= 'T00:00:00Z';
		}
		if ( isset( $body['receivedAt'] ) && '' === $body['receivedAt'] ) {
			unset( $body['receivedAt'] );
		}
		if ( isset( $body['instruction'] ) && '' === $body['instruction'] ) {
			unset( $body['instruction'] );
		}
		$body['subject'] = (object) $body['subject'];
		return Admin_Proxy::forward( 'POST', '/privacy/requests', array(), $body );
	}

	/**
	 * POST /privacy/requests/{id}/complete.
	 *
	 * @param WP_REST_Request $request The request.
	 */
	public function complete_request( WP_REST_Request $request ) {
		$body = $this->body_fields( $request, array( 'artefact', 'rectify' ) );
		foreach ( $body as $name => $value ) {
			$body[ $name ] = (object) $value;
		}
		return Admin_Proxy::forward( 'POST', '/privacy/requests/' . rawurlencode( (string) $request['id'] ) . '/actions/complete', array(), $body );
	}

	/**
	 * POST /privacy/breach-reports.
	 *
	 * @param WP_REST_Request $request The request.
	 */
	public function breach_report( WP_REST_Request $request ) {
		$body = array_filter(
			$this->body_fields( $request, array( 'from', 'to', 'awareAt', 'token', 'ip' ) ),
			fn( $value ) => null !== $value && '' !== $value
		);
		return Admin_Proxy::forward( 'POST', '/breach-reports', array(), $body );
	}

	/**
	 * POST /privacy/api-access: shuts down or reinstates the connected account's own admin API
	 * access. Needs the operator's token; once shut down, the plugin's token is refused too, so
	 * reinstating is done from the server's command line.
	 *
	 * @param WP_REST_Request $request The request.
	 * @return WP_REST_Response|WP_Error
	 */
	public function api_access( WP_REST_Request $request ) {
		$answer = Admin_Call::send( 'GET', '/account' );
		if ( is_wp_error( $answer ) ) {
			return $answer;
		}
		$id = (string) ( $answer['account']['id'] ?? '' );
		if ( ! preg_match( '/^' . self::ID_PATTERN . '$/', $id ) ) {
			return new WP_Error( 'batchkeys_bad_response', __( 'The BatchKeys server gave an answer this plugin does not understand.', 'batchkeys' ), array( 'status' => 502 ) );
		}
		$action = $request['suspend'] ? 'suspend-api' : 'reinstate-api';
		return Admin_Proxy::forward( 'POST', '/accounts/' . rawurlencode( $id ) . '/actions/' . $action, array(), array() );
	}
}
