<?php
/**
 * Tools > Export Personal Data: what the BatchKeys server holds about an email address.
 *
 * @package BatchKeys
 */

namespace BatchKeys\Privacy;

use BatchKeys\Connection\Settings;
use WP_Error;

defined( 'ABSPATH' ) || exit;

/**
 * A personal-data exporter in core's contract: `callback( $email, $page )` answers
 * `array( 'data' => items, 'done' => bool )`, each item with `group_id`, `group_label`,
 * `group_description`, `item_id` and `data` (name/value pairs).
 *
 * The server is asked once per export (page 1); its answer waits for the following pages in a
 * transient named by a keyed digest of the email, never the email, and is deleted with the last
 * page. If the server cannot be reached the page fails with a WP_Error, which WordPress shows,
 * rather than exporting nothing as if nothing were held.
 */
final class Personal_Data_Exporter {

	public const KEY = 'batchkeys';

	/** Items per page. */
	public const PAGE_SIZE = 100;

	/** How long the server's answer waits for the next page. */
	private const CACHE_TTL = 15 * MINUTE_IN_SECONDS;

	/** Hooks the exporter in. */
	public static function register(): void {
		add_filter( 'wp_privacy_personal_data_exporters', array( self::class, 'add' ) );
	}

	/**
	 * @param array $exporters Registered exporters.
	 */
	public static function add( $exporters ): array {
		$exporters              = is_array( $exporters ) ? $exporters : array();
		$exporters[ self::KEY ] = array(
			'exporter_friendly_name' => __( 'BatchKeys licenses', 'batchkeys' ),
			'callback'               => array( self::class, 'export' ),
		);
		return $exporters;
	}

	/**
	 * One page of the export.
	 *
	 * @param string $email The data subject's email address.
	 * @param int    $page  Page number from 1.
	 * @return array|WP_Error
	 */
	public static function export( $email, $page = 1 ) {
		$email = strtolower( trim( (string) $email ) );
		$page  = max( 1, (int) $page );
		if ( '' === $email || '' === Settings::server_url() ) {
			// No server was ever set up: this site holds no BatchKeys data about anyone.
			return array(
				'data' => array(),
				'done' => true,
			);
		}
		$cache = self::cache_key( $email );
		$found = 1 === $page ? false : get_transient( $cache );
		if ( ! is_array( $found ) ) {
			$found = Admin_Call::send(
				'POST',
				'/privacy/subjects/search',
				array(
					'kind'  => 'email',
					'value' => $email,
				)
			);
			if ( is_wp_error( $found ) ) {
				return new WP_Error(
					$found->get_error_code(),
					/* translators: %s: the reason. */
					sprintf( __( 'BatchKeys could not export the licenses of this email address from the BatchKeys server: %s Try again when the server can be reached.', 'batchkeys' ), $found->get_error_message() )
				);
			}
			set_transient( $cache, $found, self::CACHE_TTL );
		}
		$items = self::items( $found );
		$slice = array_slice( $items, ( $page - 1 ) * self::PAGE_SIZE, self::PAGE_SIZE );
		$done  = $page * self::PAGE_SIZE >= count( $items );
		if ( $done ) {
			delete_transient( $cache );
		}
		return array(
			'data' => $slice,
			'done' => $done,
		);
	}

	/**
	 * The transient holding an export between pages: a keyed digest of the email names it.
	 *
	 * @param string $email Lower-case email address.
	 */
	public static function cache_key( string $email ): string {
		return 'batchkeys_dsx_' . substr( hash_hmac( 'sha256', strtolower( $email ), wp_salt( 'auth' ) ), 0, 40 );
	}

	/**
	 * Every export item, in a stable order: licenses, activations, token usage, requests.
	 *
	 * @param array $found The server's search answer.
	 */
	public static function items( array $found ): array {
		$items = array();
		foreach ( self::rows( $found, 'licenses' ) as $l ) {
			$items[] = self::item(
				'batchkeys-licenses',
				__( 'License keys', 'batchkeys' ),
				__( 'License keys issued to this email address, kept on the BatchKeys licensing server.', 'batchkeys' ),
				'batchkeys-license-' . self::text( $l['id'] ?? '' ),
				array(
					__( 'License ID', 'batchkeys' )       => $l['id'] ?? null,
					__( 'Product', 'batchkeys' )          => $l['product'] ?? null,
					__( 'Status', 'batchkeys' )           => $l['status'] ?? null,
					__( 'Key (last characters)', 'batchkeys' ) => $l['keyHint'] ?? null,
					__( 'Email', 'batchkeys' )            => $l['email'] ?? null,
					__( 'Name', 'batchkeys' )             => $l['name'] ?? null,
					__( 'Locked to', 'batchkeys' )        => $l['lock'] ?? null,
					__( 'Seats', 'batchkeys' )            => array_key_exists( 'maxActivations', $l ) && null === $l['maxActivations'] ? __( 'Unlimited', 'batchkeys' ) : ( $l['maxActivations'] ?? null ),
					__( 'Tokens remaining', 'batchkeys' ) => array_key_exists( 'tokensRemaining', $l ) && null === $l['tokensRemaining'] ? __( 'Unlimited', 'batchkeys' ) : ( $l['tokensRemaining'] ?? null ),
					__( 'Expires', 'batchkeys' )          => array_key_exists( 'expiresAt', $l ) && null === $l['expiresAt'] ? __( 'Never', 'batchkeys' ) : ( $l['expiresAt'] ?? null ),
					__( 'Metadata', 'batchkeys' )         => isset( $l['metadata'] ) && is_array( $l['metadata'] ) && array() !== $l['metadata'] ? wp_json_encode( $l['metadata'] ) : null,
					__( 'Created', 'batchkeys' )          => $l['createdAt'] ?? null,
					__( 'Updated', 'batchkeys' )          => $l['updatedAt'] ?? null,
				)
			);
		}
		foreach ( self::rows( $found, 'activations' ) as $a ) {
			$items[] = self::item(
				'batchkeys-activations',
				__( 'License activations', 'batchkeys' ),
				__( 'The sites (domains) and devices on which these license keys were activated.', 'batchkeys' ),
				'batchkeys-activation-' . self::text( $a['id'] ?? '' ),
				array(
					__( 'License ID', 'batchkeys' )       => $a['license'] ?? null,
					__( 'Domain', 'batchkeys' )           => $a['domain'] ?? null,
					__( 'Device', 'batchkeys' )           => $a['device'] ?? null,
					__( 'Label', 'batchkeys' )            => $a['label'] ?? null,
					__( 'Development site', 'batchkeys' ) => isset( $a['development'] ) ? ( $a['development'] ? __( 'Yes', 'batchkeys' ) : __( 'No', 'batchkeys' ) ) : null,
					__( 'Activated', 'batchkeys' )        => $a['createdAt'] ?? null,
					__( 'Last seen', 'batchkeys' )        => $a['lastSeenAt'] ?? null,
					__( 'Deactivated', 'batchkeys' )      => $a['deactivatedAt'] ?? null,
				)
			);
		}
		foreach ( self::rows( $found, 'tokenUsage' ) as $t ) {
			$items[] = self::item(
				'batchkeys-token-usage',
				__( 'License token usage', 'batchkeys' ),
				__( 'Tokens added to and used from these license keys.', 'batchkeys' ),
				'batchkeys-token-usage-' . self::text( $t['id'] ?? '' ),
				array(
					__( 'License ID', 'batchkeys' ) => $t['license'] ?? null,
					__( 'Change', 'batchkeys' )     => $t['delta'] ?? null,
					__( 'Reason', 'batchkeys' )     => $t['reason'] ?? null,
					__( 'Time', 'batchkeys' )       => $t['at'] ?? null,
				)
			);
		}
		foreach ( self::rows( $found, 'requests' ) as $r ) {
			$items[] = self::item(
				'batchkeys-requests',
				__( 'License check requests', 'batchkeys' ),
				__( 'Requests made with these license keys to the licensing server: when, from which IP address, what was asked and the answer.', 'batchkeys' ),
				'batchkeys-request-' . self::text( $r['id'] ?? '' ),
				array(
					__( 'Time', 'batchkeys' )            => $r['at'] ?? null,
					__( 'IP address', 'batchkeys' )      => $r['ip'] ?? null,
					__( 'License ID', 'batchkeys' )      => $r['license'] ?? null,
					__( 'Action', 'batchkeys' )          => $r['action'] ?? null,
					__( 'Outcome', 'batchkeys' )         => $r['code'] ?? null,
					__( 'Domain', 'batchkeys' )          => $r['domain'] ?? null,
					__( 'Device', 'batchkeys' )          => $r['device'] ?? null,
					__( 'Tokens used', 'batchkeys' )     => $r['tokens'] ?? null,
				)
			);
		}
		return $items;
	}

	/**
	 * The list `$name` of the answer, each row an array.
	 *
	 * @param array  $found The server's answer.
	 * @param string $name  licenses, activations, tokenUsage or requests.
	 */
	private static function rows( array $found, string $name ): array {
		$rows = isset( $found[ $name ] ) && is_array( $found[ $name ] ) ? $found[ $name ] : array();
		return array_values( array_filter( $rows, 'is_array' ) );
	}

	/**
	 * One export item; fields without a value are left out, as core's own exporters do.
	 *
	 * @param string $group_id    Group id.
	 * @param string $label       Group label.
	 * @param string $description Group description.
	 * @param string $item_id     Item id.
	 * @param array  $fields      Name => value.
	 */
	private static function item( string $group_id, string $label, string $description, string $item_id, array $fields ): array {
		$data = array();
		foreach ( $fields as $name => $value ) {
			if ( null === $value || '' === $value ) {
				continue;
			}
			$data[] = array(
				'name'  => (string) $name,
				'value' => self::text( $value ),
			);
		}
		return array(
			'group_id'          => $group_id,
			'group_label'       => $label,
			'group_description' => $description,
			'item_id'           => $item_id,
			'data'              => $data,
		);
	}

	/**
	 * A scalar as text.
	 *
	 * @param mixed $value The value.
	 */
	private static function text( $value ): string {
		if ( is_bool( $value ) ) {
			return $value ? 'true' : 'false';
		}
		return is_scalar( $value ) ? (string) $value : (string) wp_json_encode( $value );
	}
}
