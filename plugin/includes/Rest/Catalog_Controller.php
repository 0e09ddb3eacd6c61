<?php
/**
 * REST routes for products and policies.
 *
 * @package BatchKeys
 */

namespace BatchKeys\Rest;

use WP_REST_Request;
use WP_REST_Server;

defined( 'ABSPATH' ) || exit;

/**
 * `/products`, `/products/{id}`, `/policies` and `/policies/{id}`.
 */
final class Catalog_Controller extends Controller {

	/**
	 * Product fields.
	 *
	 * @param bool $create Whether name and slug are required.
	 */
	private function product_args( bool $create ): array {
		return array(
			'name'      => $this->text( 200, false, $create ? array( 'required' => true ) : array() ),
			'slug'      => $this->text( 64, false, ( $create ? array( 'required' => true ) : array() ) + array( 'pattern' => '^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$' ) ),
			'keyPrefix' => $this->text( 16, true ),
			'metadata'  => $this->json_object(),
		);
	}

	/**
	 * Policy fields.
	 *
	 * @param bool $create Whether product and name are required (and product allowed).
	 */
	private function policy_args( bool $create ): array {
		$args = array(
			'name'           => $this->text( 200, false, $create ? array( 'required' => true ) : array() ),
			'durationDays'   => $this->integer( 1, 36500, true ),
			'lock'           => $this->choice( array( 'none', 'domain', 'device' ) ),
			'maxActivations' => $this->integer( 0, 1000000000, true ),
			'tokens'         => $this->integer( 0, 1000000000, true ),
		);
		if ( $create ) {
			$args['product'] = $this->text( 128, false, array( 'required' => true ) );
		}
		return $args;
	}

	/** Registers the routes. */
	public function register_routes(): void {
		$id = '(?P<id>' . self::ID_PATTERN . ')';
		$this->route(
			'/products',
			array(
				array(
					'methods'  => WP_REST_Server::READABLE,
					'callback' => fn() => Admin_Proxy::forward( 'GET', '/products' ),
					'args'     => array(),
				),
				array(
					'methods'  => WP_REST_Server::CREATABLE,
					'callback' => fn( WP_REST_Request $r ) => Admin_Proxy::forward( 'POST', '/products', array(), $this->body_fields( $r, array_keys( $this->product_args( true ) ) ) ),
					'args'     => $this->product_args( true ),
				),
			)
		);
		$this->route(
			'/products/' . $id,
			array(
				array(
					'methods'  => WP_REST_Server::READABLE,
					'callback' => fn( WP_REST_Request $r ) => Admin_Proxy::forward( 'GET', '/products/' . rawurlencode( $r['id'] ) ),
					'args'     => array( 'id' => $this->id_arg() ),
				),
				array(
					'methods'  => WP_REST_Server::EDITABLE,
					'callback' => fn( WP_REST_Request $r ) => Admin_Proxy::forward( 'PATCH', '/products/' . rawurlencode( $r['id'] ), array(), $this->body_fields( $r, array_keys( $this->product_args( false ) ) ) ),
					'args'     => array( 'id' => $this->id_arg() ) + $this->product_args( false ),
				),
			)
		);
		$this->route(
			'/policies',
			array(
				array(
					'methods'  => WP_REST_Server::READABLE,
					'callback' => fn( WP_REST_Request $r ) => Admin_Proxy::forward( 'GET', '/policies', $this->query_fields( $r, array( 'product' ) ) ),
					'args'     => array( 'product' => $this->text( 128 ) ),
				),
				array(
					'methods'  => WP_REST_Server::CREATABLE,
					'callback' => fn( WP_REST_Request $r ) => Admin_Proxy::forward( 'POST', '/policies', array(), $this->body_fields( $r, array_keys( $this->policy_args( true ) ) ) ),
					'args'     => $this->policy_args( true ),
				),
			)
		);
		$this->route(
			'/policies/' . $id,
			array(
				array(
					'methods'  => WP_REST_Server::READABLE,
					'callback' => fn( WP_REST_Request $r ) => Admin_Proxy::forward( 'GET', '/policies/' . rawurlencode( $r['id'] ) ),
					'args'     => array( 'id' => $this->id_arg() ),
				),
				array(
					'methods'  => WP_REST_Server::EDITABLE,
					'callback' => fn( WP_REST_Request $r ) => Admin_Proxy::forward( 'PATCH', '/policies/' . rawurlencode( $r['id'] ), array(), $this->body_fields( $r, array_keys( $this->policy_args( false ) ) ) ),
					'args'     => array( 'id' => $this->id_arg() ) + $this->policy_args( false ),
				),
			)
		);
	}
}
