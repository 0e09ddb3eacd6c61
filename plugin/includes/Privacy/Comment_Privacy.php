<?php
/**
 * Commenter IP addresses and user agents: retention and whether they are stored at all.
 *
 * @package BatchKeys
 */

namespace BatchKeys\Privacy;

use WP_Error;

defined( 'ABSPATH' ) || exit;

/**
 * WordPress keeps every commenter's IP address (`comment_author_IP`) and browser user agent
 * (`comment_agent`) for as long as the comment exists. This anonymises the IP (as WordPress's own
 * eraser does: the last IPv4 octet, the last 64 bits of IPv6) and clears the user agent of
 * comments older than the retention period, from a daily WP-Cron event, in batches.
 *
 * The plugin adds no comment data of its own (no comment meta), so WordPress's own comment
 * exporter and eraser, which already cover the IP and the user agent, cover what it touches.
 */
final class Comment_Privacy {

	public const OPTION       = 'batchkeys_comment_privacy';
	public const STATE_OPTION = 'batchkeys_comment_retention';
	public const CRON_HOOK    = 'batchkeys_comment_retention';
	/** A one-off event that continues a pass which ran out of time. */
	public const MORE_HOOK = 'batchkeys_comment_retention_more';

	/** Longest retention the settings accept: ten years. */
	public const MAX_DAYS = 3650;

	/** Comments read per query. */
	private const BATCH = 200;

	/**
	 * Defaults: keep (0), store both. The plugin does not rewrite a site's existing comments the
	 * moment it is activated; the owner chooses a period on the Privacy screen.
	 */
	private const DEFAULTS = array(
		'retention_days'   => 0,
		'store_ip'         => true,
		'store_user_agent' => true,
	);

	/** Hooks: the cron event and the filters that stop storing. */
	public static function register(): void {
		add_action( self::CRON_HOOK, array( self::class, 'run_from_cron' ) );
		add_action( self::MORE_HOOK, array( self::class, 'run_from_cron' ) );
		add_filter( 'pre_comment_user_ip', array( self::class, 'filter_ip' ), 20 );
		add_filter( 'pre_comment_user_agent', array( self::class, 'filter_user_agent' ), 20 );
		add_action( 'admin_init', array( self::class, 'ensure_schedule' ) );
	}

	/** The settings with defaults filled in. */
	public static function settings(): array {
		$saved = get_option( self::OPTION, array() );
		$saved = is_array( $saved ) ? $saved : array();
		return array(
			'retention_days'   => isset( $saved['retention_days'] ) ? max( 0, min( self::MAX_DAYS, (int) $saved['retention_days'] ) ) : self::DEFAULTS['retention_days'],
			'store_ip'         => isset( $saved['store_ip'] ) ? (bool) $saved['store_ip'] : self::DEFAULTS['store_ip'],
			'store_user_agent' => isset( $saved['store_user_agent'] ) ? (bool) $saved['store_user_agent'] : self::DEFAULTS['store_user_agent'],
		);
	}

	/** Days after which IPs are anonymised and user agents cleared; 0 keeps them. */
	public static function retention_days(): int {
		/**
		 * Filters the commenter IP and user agent retention, in days (0 keeps them).
		 *
		 * @param int $days The saved period.
		 */
		return max( 0, min( self::MAX_DAYS, (int) apply_filters( 'batchkeys_comment_retention_days', self::settings()['retention_days'] ) ) );
	}

	/**
	 * Saves any of `retention_days`, `store_ip`, `store_user_agent`.
	 *
	 * @param array $changes Values to change; absent keys are kept.
	 * @return true|WP_Error
	 */
	public static function save( array $changes ) {
		$all = self::settings();
		if ( array_key_exists( 'retention_days', $changes ) ) {
			$days = filter_var( $changes['retention_days'], FILTER_VALIDATE_INT );
			if ( false === $days || $days < 0 || $days > self::MAX_DAYS ) {
				return new WP_Error(
					'batchkeys_invalid_retention',
					/* translators: %d: the largest number of days allowed. */
					sprintf( __( 'The retention must be a number of days from 0 (keep) to %d.', 'batchkeys' ), self::MAX_DAYS ),
					array( 'status' => 400 )
				);
			}
			$all['retention_days'] = $days;
		}
		foreach ( array( 'store_ip', 'store_user_agent' ) as $flag ) {
			if ( array_key_exists( $flag, $changes ) ) {
				$all[ $flag ] = (bool) $changes[ $flag ];
			}
		}
		update_option( self::OPTION, $all, true );
		self::ensure_schedule();
		return true;
	}

	/** The settings and the last run, as the REST API shows them. */
	public static function to_rest(): array {
		$all   = self::settings();
		$state = self::state();
		return array(
			'retentionDays'   => $all['retention_days'],
			'storeIp'         => $all['store_ip'],
			'storeUserAgent'  => $all['store_user_agent'],
			'lastRun'         => $state['last_run'] > 0 ? gmdate( 'Y-m-d\TH:i:s\Z', $state['last_run'] ) : null,
			'lastCount'       => $state['last_count'],
			'anonymisedTotal' => $state['anonymised_total'],
		);
	}

	/** What the last runs did: time, count of that run, count of all runs. */
	public static function state(): array {
		$state = get_option( self::STATE_OPTION, array() );
		$state = is_array( $state ) ? $state : array();
		return array(
			'last_run'         => (int) ( $state['last_run'] ?? 0 ),
			'last_count'       => (int) ( $state['last_count'] ?? 0 ),
			'anonymised_total' => (int) ( $state['anonymised_total'] ?? 0 ),
		);
	}

	/**
	 * An empty IP address when the site does not store them. Core checks comment floods with the
	 * visitor's real address before this filter runs, so stored rows without it only lose the
	 * match by address (the match by email address remains).
	 *
	 * @param mixed $ip The commenter's IP address.
	 * @return mixed
	 */
	public static function filter_ip( $ip ) {
		return self::settings()['store_ip'] ? $ip : '';
	}

	/**
	 * An empty user agent when the site does not store them.
	 *
	 * @param mixed $agent The commenter's user agent.
	 * @return mixed
	 */
	public static function filter_user_agent( $agent ) {
		return self::settings()['store_user_agent'] ? $agent : '';
	}

	/** Daily while a retention period is set; no event at all otherwise. */
	public static function ensure_schedule(): void {
		$next = wp_next_scheduled( self::CRON_HOOK );
		if ( self::retention_days() > 0 ) {
			if ( false === $next ) {
				wp_schedule_event( time() + HOUR_IN_SECONDS, 'daily', self::CRON_HOOK );
			}
		} elseif ( false !== $next ) {
			wp_clear_scheduled_hook( self::CRON_HOOK );
		}
	}

	/** Removes the event (deactivation). */
	public static function unschedule(): void {
		wp_clear_scheduled_hook( self::CRON_HOOK );
		wp_clear_scheduled_hook( self::MORE_HOOK );
	}

	/** The cron callback: one pass of up to 20 seconds; more to do continues a minute later. */
	public static function run_from_cron(): void {
		$result = self::run( 20.0 );
		if ( $result['more'] && false === wp_next_scheduled( self::MORE_HOOK ) ) {
			wp_schedule_single_event( time() + MINUTE_IN_SECONDS, self::MORE_HOOK );
		}
	}

	/**
	 * Anonymises the IP and clears the user agent of comments older than the retention period.
	 *
	 * Candidates are read in batches by ascending id; an IP that already is its own anonymised
	 * form (ends in ".0" or "::") with an empty user agent is skipped by the query, and a row is
	 * only written when a value changes, so a run never loops on the same rows.
	 *
	 * @param float $budget Seconds the pass may take before it stops (the rest waits for the next run).
	 * @return array{anonymised:int, more:bool}
	 */
	public static function run( float $budget = 10.0 ): array {
		global $wpdb;

		$days       = self::retention_days();
		$anonymised = 0;
		$more       = false;
		if ( $days > 0 ) {
			$cutoff  = gmdate( 'Y-m-d H:i:s', time() - $days * DAY_IN_SECONDS );
			$started = microtime( true );
			$after   = 0;
			while ( true ) {
				// phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching -- a batch job over raw rows; the comment cache is cleaned per row below.
				$rows = $wpdb->get_results(
					$wpdb->prepare(
						"SELECT comment_ID, comment_author_IP, comment_agent FROM {$wpdb->comments}
						WHERE comment_ID > %d AND comment_date_gmt < %s
						AND ( comment_agent <> '' OR ( comment_author_IP <> '' AND comment_author_IP NOT LIKE %s AND comment_author_IP NOT LIKE %s ) )
						ORDER BY comment_ID ASC LIMIT %d",
						$after,
						$cutoff,
						'%' . $wpdb->esc_like( '.0' ),
						'%' . $wpdb->esc_like( '::' ),
						self::BATCH
					)
				);
				if ( ! is_array( $rows ) || array() === $rows ) {
					break;
				}
				foreach ( $rows as $row ) {
					$after = (int) $row->comment_ID;
					$ip    = (string) $row->comment_author_IP;
					$new   = '' === $ip ? '' : wp_privacy_anonymize_ip( $ip );
					if ( $new === $ip && '' === (string) $row->comment_agent ) {
						continue;
					}
					// phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching -- see above.
					$wpdb->query(
						$wpdb->prepare(
							"UPDATE {$wpdb->comments} SET comment_author_IP = %s, comment_agent = '' WHERE comment_ID = %d",
							$new,
							$after
						)
					);
					clean_comment_cache( $after );
					++$anonymised;
				}
				if ( count( $rows ) < self::BATCH ) {
					break;
				}
				if ( microtime( true ) - $started > $budget ) {
					$more = true;
					break;
				}
			}
		}
		$state = self::state();
		update_option(
			self::STATE_OPTION,
			array(
				'last_run'         => time(),
				'last_count'       => $anonymised,
				'anonymised_total' => $state['anonymised_total'] + $anonymised,
			),
			false
		);
		return array(
			'anonymised' => $anonymised,
			'more'       => $more,
		);
	}
}
