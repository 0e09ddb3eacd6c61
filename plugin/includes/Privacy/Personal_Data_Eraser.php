<?php
/**
 * Tools > Erase Personal Data: erases an email address on the BatchKeys server.
 *
 * @package BatchKeys
 */

namespace BatchKeys\Privacy;

use BatchKeys\Connection\Settings;
use BatchKeys\Licensing\Result_Cache;
use WP_Error;

defined( 'ABSPATH' ) || exit;

/**
 * A personal-data eraser in core's contract: `callback( $email, $page )` answers
 * `items_removed`, `items_retained`, `messages` and `done`.
 *
 * The server erases everything about the email in one call (its licenses with their
 * activations, token ledger and request log) and reports what it kept and why and which keys stop
 * working; the messages repeat that in sentences for the site owner. One page does it all.
 */
final class Personal_Data_Eraser {

	public const KEY = 'batchkeys';

	/** Hooks the eraser in. */
	public static function register(): void {
		add_filter( 'wp_privacy_personal_data_erasers', array( self::class, 'add' ) );
	}

	/**
	 * @param array $erasers Registered erasers.
	 */
	public static function add( $erasers ): array {
		$erasers              = is_array( $erasers ) ? $erasers : array();
		$erasers[ self::KEY ] = array(
			'eraser_friendly_name' => __( 'BatchKeys licenses', 'batchkeys' ),
			'callback'             => array( self::class, 'erase' ),
		);
		return $erasers;
	}

	/**
	 * Erases the email's data on the server.
	 *
	 * @param string $email The data subject's email address.
	 * @param int    $page  Page number (one page does everything).
	 * @return array|WP_Error
	 */
	public static function erase( $email, $page = 1 ) {
		unset( $page );
		$email  = strtolower( trim( (string) $email ) );
		$result = array(
			'items_removed'  => false,
			'items_retained' => false,
			'messages'       => array(),
			'done'           => true,
		);
		if ( '' === $email || '' === Settings::server_url() ) {
			return $result;
		}
		$report = Admin_Call::send(
			'POST',
			'/privacy/subjects/erase',
			array(
				'kind'  => 'email',
				'value' => $email,
			),
			15.0
		);
		if ( is_wp_error( $report ) ) {
			return new WP_Error(
				$report->get_error_code(),
				/* translators: %s: the reason. */
				sprintf( __( 'BatchKeys could not erase the licenses of this email address on the BatchKeys server: %s Nothing was erased there; try again when the server can be reached.', 'batchkeys' ), $report->get_error_message() )
			);
		}
		// An export of this email waiting for its next page must not outlive the erasure.
		delete_transient( Personal_Data_Exporter::cache_key( $email ) );

		$removed = isset( $report['removed'] ) && is_array( $report['removed'] ) ? $report['removed'] : array();
		$total   = 0;
		foreach ( array( 'licenses', 'activations', 'ledger', 'requests' ) as $kind ) {
			$total += (int) ( $removed[ $kind ] ?? 0 );
		}
		$result['items_removed'] = $total > 0;

		$keys = isset( $report['keysStopped'] ) && is_array( $report['keysStopped'] ) ? $report['keysStopped'] : array();
		foreach ( $keys as $key ) {
			if ( ! is_array( $key ) ) {
				continue;
			}
			$result['messages'][] = sprintf(
				/* translators: 1: the key's last characters, 2: product, 3: license id. */
				__( 'BatchKeys: the license key ending %1$s for %2$s (license %3$s) was erased and stops working now; sites and devices using it lose their license.', 'batchkeys' ),
				ltrim( (string) ( $key['keyHint'] ?? '' ), '…' ),
				(string) ( $key['product'] ?? '' ),
				(string) ( $key['license'] ?? '' )
			);
		}
		if ( array() !== $keys ) {
			// Cached "valid" answers on this site would otherwise keep an erased key working for a while.
			Result_Cache::flush();
		}
		if ( $total > 0 ) {
			$result['messages'][] = sprintf(
				/* translators: 1: licenses, 2: activations, 3: token records, 4: request-log entries. */
				__( 'BatchKeys: removed %1$d licenses, %2$d activations, %3$d token records and %4$d request-log entries from the licensing server.', 'batchkeys' ),
				(int) ( $removed['licenses'] ?? 0 ),
				(int) ( $removed['activations'] ?? 0 ),
				(int) ( $removed['ledger'] ?? 0 ),
				(int) ( $removed['requests'] ?? 0 )
			);
		}
		$retained = isset( $report['retained'] ) && is_array( $report['retained'] ) ? $report['retained'] : array();
		foreach ( $retained as $kept ) {
			if ( ! is_array( $kept ) ) {
				continue;
			}
			$result['items_retained'] = true;
			$result['messages'][]     = sprintf(
				/* translators: 1: what was kept, 2: why. */
				__( 'BatchKeys kept %1$s: %2$s', 'batchkeys' ),
				(string) ( $kept['what'] ?? '' ),
				(string) ( $kept['why'] ?? '' )
			);
		}
		return $result;
	}
}
