<?php
/**
 * REST routes for licenses and activations.
 *
 * @package BatchKeys
 */

namespace BatchKeys\Rest;

use BatchKeys\Licensing\Result_Cache;
use WP_REST_Request;
use WP_REST_Server;

defined( 'ABSPATH' ) || exit;

/**
 * `/licenses`, `/licenses/{id}`, its actions, activations, key and recent requests, and
 * `/activations/{id}`. A change made here makes this site's cached license answers stale, so a
 * key suspended from wp-admin stops validating on the site at once.
 */
final class Licenses_Controller extends Controller {

	private const ACTIONS = array( 'suspend', 'reinstate', 'revoke', 'renew', 'reset-activations', 'add-tokens' );

	/** Fields of a new license, as the server's admin API takes them. */
	private function create_args(): array {
		return array(
			'product'        => $this->text( 128, false, array( 'required' => true ) ),
			'policy'         => $this->text( 128 ),
			'lock'           => $this->choice( array( 'none', 'domain', 'device' ) ),
			'maxActivations' => $this->integer( 0, 1000000000, true ),
			'tokens'         => $this->integer( 0, 1000000000, true ),
			'expiresAt'      => $this->text( 64, true ),
			'email'          => $this->text( 254 ),
			'name'           => $this->text( 200 ),
			'key'            => $this->text( 256 ),
			'metadata'       => $this->json_object(),
		);
	}

	/** Fields that may change on a license. */
	private function patch_args(): array {
		return array(
			'id'             => $this->id_arg(),
			'lock'           => $this->choice( array( 'none', 'domain', 'device' ) ),
			'maxActivations' => $this->integer( 0, 1000000000, true ),
			'expiresAt'      => $this->text( 64, true ),
			'email'          => $this->text( 254, true ),
			'name'           => $this->text( 200, true ),
			'metadata'       => $this->json_object(),
		);
	}

	/** Registers the routes. */
	public function register_routes(): void {
		$id = '(?P<id>' . self::ID_PATTERN . ')';

		$this->route(
			'/licenses',
			array(
				array(
					'methods'  => WP_REST_Server::READABLE,
					'callback' => array( $this, 'list_licenses' ),
					'args'     => array(
						'status' => $this->choice( array( 'active', 'suspended', 'revoked', 'expired' ) ),
						'product' => $this->text( 128 ),
						'email'  => $this->text( 254 ),
						'q'      => $this->text( 256 ),
						'limit'  => $this->integer( 1, 500 ),
						'sort'   => $this->choice( array( 'createdAt', 'expiresAt' ) ),
						'order'  => $this->choice( array( 'desc', 'asc' ) ),
						'cursor' => $this->text( 200 ),
					),
				),
				array(
					'methods'  => WP_REST_Server::CREATABLE,
					'callback' => array( $this, 'create_license' ),
					'args'     => $this->create_args(),
				),
			)
		);
		$this->route(
			'/licenses/' . $id,
			array(
				array(
					'methods'  => WP_REST_Server::READABLE,
					'callback' => fn( WP_REST_Request $r ) => Admin_Proxy::forward( 'GET', '/licenses/' . rawurlencode( $r['id'] ) ),
					'args'     => array( 'id' => $this->id_arg() ),
				),
				array(
					'methods'  => WP_REST_Server::EDITABLE,
					'callback' => array( $this, 'update_license' ),
					'args'     => $this->patch_args(),
				),
				array(
					'methods'  => WP_REST_Server::DELETABLE,
					'callback' => fn( WP_REST_Request $r ) => self::changed( Admin_Proxy::forward( 'DELETE', '/licenses/' . rawurlencode( $r['id'] ) ) ),
					'args'     => array( 'id' => $this->id_arg() ),
				),
			)
		);
		$this->route(
			'/licenses/' . $id . '/actions/(?P<action>' . implode( '|', self::ACTIONS ) . ')',
			array(
				array(
					'methods'  => WP_REST_Server::CREATABLE,
					'callback' => array( $this, 'license_action' ),
					'args'     => array(
						'id'        => $this->id_arg(),
						'action'    => $this->choice( self::ACTIONS ),
						'days'      => $this->integer( 1, 36500 ),
						'expiresAt' => $this->text( 64 ),
						'amount'    => $this->integer( 1, 1000000000 ),
					),
				),
			)
		);
		$this->route(
			'/licenses/' . $id . '/activations',
			array(
				array(
					'methods'  => WP_REST_Server::READABLE,
					'callback' => fn( WP_REST_Request $r ) => Admin_Proxy::forward( 'GET', '/licenses/' . rawurlencode( $r['id'] ) . '/activations', $this->query_fields( $r, array( 'all' ) ) ),
					'args'     => array(
						'id'  => $this->id_arg(),
						'all' => array(
							'type'              => 'boolean',
							'sanitize_callback' => 'rest_sanitize_request_arg',
							'validate_callback' => 'rest_validate_request_arg',
						),
					),
				),
			)
		);
		$this->route(
			'/licenses/' . $id . '/key',
			array(
				array(
					'methods'  => WP_REST_Server::READABLE,
					'callback' => fn( WP_REST_Request $r ) => Admin_Proxy::forward( 'GET', '/licenses/' . rawurlencode( $r['id'] ) . '/key' ),
					'args'     => array( 'id' => $this->id_arg() ),
				),
			)
		);
		$this->route(
			'/licenses/' . $id . '/requests',
			array(
				array(
					'methods'  => WP_REST_Server::READABLE,
					'callback' => fn( WP_REST_Request $r ) => Admin_Proxy::forward( 'GET', '/licenses/' . rawurlencode( $r['id'] ) . '/requests', $this->query_fields( $r, array( 'limit', 'cursor' ) ) ),
					'args'     => array(
						'id'     => $this->id_arg(),
						'limit'  => $this->integer( 1, 500 ),
						'sort'   => $this->choice( array( 'createdAt', 'expiresAt' ) ),
						'order'  => $this->choice( array( 'desc', 'asc' ) ),
						'cursor' => $this->text( 200 ),
					),
				),
			)
		);
		$this->route(
			'/activations/' . $id,
			array(
				array(
					'methods'  => WP_REST_Server::DELETABLE,
					'callback' => fn( WP_REST_Request $r ) => self::changed( Admin_Proxy::forward( 'DELETE', '/activations/' . rawurlencode( $r['id'] ) ) ),
					'args'     => array( 'id' => $this->id_arg() ),
				),
			)
		);
	}

	/**
	 * GET /licenses.
	 *
	 * @param WP_REST_Request $request The request.
	 */
	public function list_licenses( WP_REST_Request $request ) {
		return Admin_Proxy::forward( 'GET', '/licenses', $this->query_fields( $request, array( 'status', 'product', 'email', 'q', 'limit', 'sort', 'order', 'cursor' ) ) );
	}

	/**
	 * POST /licenses: answers 201 with the new key, shown once.
	 *
	 * @param WP_REST_Request $request The request.
	 */
	public function create_license( WP_REST_Request $request ) {
		return Admin_Proxy::forward( 'POST', '/licenses', array(), $this->body_fields( $request, array_keys( $this->create_args() ) ) );
	}

	/**
	 * PATCH /licenses/{id}.
	 *
	 * @param WP_REST_Request $request The request.
	 */
	public function update_license( WP_REST_Request $request ) {
		$fields = array_diff( array_keys( $this->patch_args() ), array( 'id' ) );
		return self::changed( Admin_Proxy::forward( 'PATCH', '/licenses/' . rawurlencode( $request['id'] ), array(), $this->body_fields( $request, $fields ) ) );
	}

	/**
	 * POST /licenses/{id}/actions/{action}, with the body each action takes.
	 *
	 * @param WP_REST_Request $request The request.
	 */
	public function license_action( WP_REST_Request $request ) {
		$action = (string) $request['action'];
		$fields = array(
			'renew'      => array( 'days', 'expiresAt' ),
			'add-tokens' => array( 'amount' ),
		)[ $action ] ?? array();
		$path   = '/licenses/' . rawurlencode( $request['id'] ) . '/actions/' . $action;
		return self::changed( Admin_Proxy::forward( 'POST', $path, array(), $this->body_fields( $request, $fields ) ) );
	}

	/**
	 * Passes an answer on; after a successful change, cached license answers become stale.
	 *
	 * @param mixed $response The proxy's answer.
	 * @return mixed
	 */
	private static function changed( $response ) {
		if ( ! is_wp_error( $response ) ) {
			Result_Cache::flush();
		}
		return $response;
	}
}
