<?php
/**
 * The suggested privacy-policy text (Settings > Privacy > Policy Guide).
 *
 * @package BatchKeys
 */

namespace BatchKeys\Privacy;

use BatchKeys\Connection\Server_Client;
use BatchKeys\Connection\Settings;

defined( 'ABSPATH' ) || exit;

/**
 * Builds the text from two parts: what this plugin does on the site (comment data, cookies, what
 * license checks send), computed from the current settings every time, and the server's own
 * data-processing sections from its policy generator (`GET /v1/privacy/policy?format=json`,
 * public), kept in an option. The server's part is fetched again when the connection changes,
 * when the comment settings change, and at most once a day otherwise; when the server cannot be
 * reached the text says so and still describes the plugin's part correctly.
 */
final class Policy_Text {

	public const OPTION     = 'batchkeys_server_policy';
	public const CRON_HOOK  = 'batchkeys_refresh_policy';
	private const MAX_AGE   = DAY_IN_SECONDS;
	private const RETRY     = HOUR_IN_SECONDS;
	private const TIMEOUT   = 3.0;
	private const SETTINGS  = Settings::OPTION;

	/** Hooks: registration on admin_init (as core requires), refreshes. */
	public static function register(): void {
		add_action( 'admin_init', array( self::class, 'add_suggested_text' ) );
		add_action( self::CRON_HOOK, array( self::class, 'refresh' ) );
		add_action( 'add_option_' . self::SETTINGS, array( self::class, 'connection_added' ), 10, 2 );
		add_action( 'update_option_' . self::SETTINGS, array( self::class, 'connection_changed' ), 10, 2 );
		add_action( 'update_option_' . Comment_Privacy::OPTION, array( self::class, 'refresh' ) );
		add_action( 'add_option_' . Comment_Privacy::OPTION, array( self::class, 'refresh' ) );
	}

	/** Adds the text; fetches the server's part first when it is missing or a day old. */
	public static function add_suggested_text(): void {
		if ( ! function_exists( 'wp_add_privacy_policy_content' ) ) {
			return;
		}
		if ( ! wp_next_scheduled( self::CRON_HOOK ) ) {
			wp_schedule_event( time() + DAY_IN_SECONDS, 'daily', self::CRON_HOOK );
		}
		self::maybe_refresh();
		wp_add_privacy_policy_content( 'BatchKeys', self::html() );
	}

	/** Removes the daily event (deactivation). */
	public static function unschedule(): void {
		wp_clear_scheduled_hook( self::CRON_HOOK );
	}

	/**
	 * @param string $option The option name.
	 * @param mixed  $value  The new settings.
	 */
	public static function connection_added( $option, $value ): void {
		unset( $option, $value );
		self::refresh();
	}

	/**
	 * Refreshes when the server address changed.
	 *
	 * @param mixed $old_value Old settings.
	 * @param mixed $value     New settings.
	 */
	public static function connection_changed( $old_value, $value ): void {
		$old = is_array( $old_value ) ? (string) ( $old_value['server_url'] ?? '' ) : '';
		$new = is_array( $value ) ? (string) ( $value['server_url'] ?? '' ) : '';
		if ( $old !== $new ) {
			self::refresh();
		}
	}

	/** Fetches the server's part when it is missing, for another server, or older than a day. */
	public static function maybe_refresh(): void {
		$cached = self::cached();
		$url    = Settings::server_url();
		if ( '' === $url ) {
			return;
		}
		$age = time() - max( (int) ( $cached['fetched_at'] ?? 0 ), (int) ( $cached['failed_at'] ?? 0 ) );
		if ( ( $cached['url'] ?? '' ) !== $url || ( empty( $cached['failed_at'] ) ? $age > self::MAX_AGE : $age > self::RETRY ) ) {
			self::refresh();
		}
	}

	/**
	 * Fetches the server's policy now (at most 3 seconds). A failure keeps the last good copy
	 * for the same server and records when it failed.
	 *
	 * @return bool Whether the server answered.
	 */
	public static function refresh(): bool {
		$url = Settings::server_url();
		if ( '' === $url ) {
			delete_option( self::OPTION );
			return false;
		}
		$response = ( new Server_Client( $url ) )->request( 'GET', '/v1/privacy/policy', array( 'format' => 'json' ), null, self::TIMEOUT );
		$data     = ! is_wp_error( $response ) && $response->ok() ? $response->json() : null;
		$cached   = self::cached();
		if ( ! is_array( $data ) || ! isset( $data['sections'] ) || ! is_array( $data['sections'] ) ) {
			$keep = ( $cached['url'] ?? '' ) === $url ? $cached : array( 'url' => $url );
			update_option( self::OPTION, array_merge( $keep, array( 'failed_at' => time() ) ), false );
			return false;
		}
		update_option(
			self::OPTION,
			array(
				'url'        => $url,
				'fetched_at' => time(),
				'failed_at'  => 0,
				'title'      => is_string( $data['title'] ?? null ) ? $data['title'] : '',
				'sections'   => $data['sections'],
				'facts'      => isset( $data['facts'] ) && is_array( $data['facts'] ) ? $data['facts'] : array(),
			),
			false
		);
		return true;
	}

	/** The server's policy facts (retention, features, subprocessors) for this server, or null. */
	public static function server_facts(): ?array {
		$cached = self::cached();
		return ( $cached['url'] ?? '' ) === Settings::server_url() && ! empty( $cached['facts'] ) ? $cached['facts'] : null;
	}

	/** When the server's part was last fetched (Unix time), 0 when never. */
	public static function fetched_at(): int {
		$cached = self::cached();
		return ( $cached['url'] ?? '' ) === Settings::server_url() ? (int) ( $cached['fetched_at'] ?? 0 ) : 0;
	}

	/** The whole suggested text, as HTML. */
	public static function html(): string {
		return self::plugin_part() . self::server_part();
	}

	/** What the plugin itself does on this site. */
	public static function plugin_part(): string {
		$comments = Comment_Privacy::settings();
		$days     = Comment_Privacy::retention_days();
		$out      = array();

		$out[] = '<h2>' . esc_html__( 'Comments', 'batchkeys' ) . '</h2>';
		$stores = array();
		if ( $comments['store_ip'] ) {
			$stores[] = __( 'your IP address', 'batchkeys' );
		}
		if ( $comments['store_user_agent'] ) {
			$stores[] = __( 'your browser\'s user agent string', 'batchkeys' );
		}
		$text = '<strong class="privacy-policy-tutorial">' . esc_html__( 'Suggested text:', 'batchkeys' ) . ' </strong>';
		if ( 2 === count( $stores ) || 1 === count( $stores ) ) {
			$text .= esc_html(
				sprintf(
					/* translators: %s: what is stored, e.g. "your IP address and your browser's user agent string". */
					__( 'When you leave a comment, we store %s with it, to help detect spam.', 'batchkeys' ),
					implode( __( ' and ', 'batchkeys' ), $stores )
				)
			);
		}
		if ( ! $comments['store_ip'] && ! $comments['store_user_agent'] ) {
			$text .= esc_html__( 'When you leave a comment, we do not store your IP address or your browser\'s user agent string.', 'batchkeys' );
		} elseif ( ! $comments['store_ip'] ) {
			$text .= ' ' . esc_html__( 'We do not store your IP address with a comment.', 'batchkeys' );
		} elseif ( ! $comments['store_user_agent'] ) {
			$text .= ' ' . esc_html__( 'We do not store your browser\'s user agent string with a comment.', 'batchkeys' );
		}
		if ( $days > 0 ) {
			// Say only what the retention job really does to what is really stored.
			if ( $comments['store_ip'] && $comments['store_user_agent'] ) {
				/* translators: %d: number of days. */
				$sentence = _n( '%d day after a comment is posted, the IP address stored with it is anonymised (its last part is removed, for example 192.0.2.123 becomes 192.0.2.0) and the user agent string is deleted; this runs once a day.', '%d days after a comment is posted, the IP address stored with it is anonymised (its last part is removed, for example 192.0.2.123 becomes 192.0.2.0) and the user agent string is deleted; this runs once a day.', $days, 'batchkeys' );
			} elseif ( $comments['store_ip'] ) {
				/* translators: %d: number of days. */
				$sentence = _n( '%d day after a comment is posted, the IP address stored with it is anonymised (its last part is removed, for example 192.0.2.123 becomes 192.0.2.0); this runs once a day.', '%d days after a comment is posted, the IP address stored with it is anonymised (its last part is removed, for example 192.0.2.123 becomes 192.0.2.0); this runs once a day.', $days, 'batchkeys' );
			} elseif ( $comments['store_user_agent'] ) {
				/* translators: %d: number of days. */
				$sentence = _n( '%d day after a comment is posted, the user agent string stored with it is deleted, and any IP address stored with an earlier comment is anonymised; this runs once a day.', '%d days after a comment is posted, the user agent string stored with it is deleted, and any IP address stored with an earlier comment is anonymised; this runs once a day.', $days, 'batchkeys' );
			} else {
				/* translators: %d: number of days. */
				$sentence = _n( 'IP addresses and user agent strings stored with earlier comments are anonymised or deleted %d day after the comment was posted; this runs once a day.', 'IP addresses and user agent strings stored with earlier comments are anonymised or deleted %d days after the comment was posted; this runs once a day.', $days, 'batchkeys' );
			}
			$text .= ' ' . esc_html( sprintf( $sentence, $days ) );
		} elseif ( array() !== $stores ) {
			$text .= ' ' . esc_html__( 'They are kept for as long as the comment is kept.', 'batchkeys' );
		}
		$out[] = '<p>' . $text . '</p>';

		$out[] = '<h2>' . esc_html__( 'Cookies', 'batchkeys' ) . '</h2>';
		$out[] = '<p>' . esc_html__( 'The BatchKeys plugin sets no cookies and stores nothing in visitors\' browsers.', 'batchkeys' ) . '</p>';

		$host  = (string) wp_parse_url( Settings::server_url(), PHP_URL_HOST );
		$out[] = '<h2>' . esc_html__( 'License checks', 'batchkeys' ) . '</h2>';
		$out[] = '<p>' . esc_html(
			sprintf(
				/* translators: %s: the licensing server's host name. */
				__( 'When this site checks, activates or deactivates a software license key, it sends the licensing server (%s) the license key, this site\'s domain name or a device identifier, an optional label, and a random one-time number that protects the answer against replay. The server sees the IP address of this web server, never the addresses or any other data of the site\'s visitors.', 'batchkeys' ),
				'' !== $host ? $host : __( 'not set up yet', 'batchkeys' )
			)
		) . ' ' . esc_html(
			Settings::cache_lifetime() > 0
				? sprintf(
					/* translators: %d: minutes. */
					_n( 'Answers are kept on this site for %d minute, under a digest of the key (never the key itself).', 'Answers are kept on this site for %d minutes, under a digest of the key (never the key itself).', max( 1, (int) round( Settings::cache_lifetime() / 60 ) ), 'batchkeys' ),
					max( 1, (int) round( Settings::cache_lifetime() / 60 ) )
				)
				: __( 'Answers are not cached on this site.', 'batchkeys' )
		) . '</p>';
		$out[] = '<p>' . esc_html__( 'Licensee details entered in the BatchKeys screens (email address, name) are stored on the licensing server, not in this site\'s database. Requests to export or erase your personal data made to this site (Tools > Export/Erase Personal Data) include your licenses, their activations, token usage and license requests on the licensing server.', 'batchkeys' ) . '</p>';
		return implode( "\n", $out ) . "\n";
	}

	/** The server's sections, or a note when they could not be fetched. */
	public static function server_part(): string {
		$cached = self::cached();
		$url    = Settings::server_url();
		if ( '' === $url ) {
			return '';
		}
		if ( ( $cached['url'] ?? '' ) !== $url || empty( $cached['sections'] ) || ! is_array( $cached['sections'] ) ) {
			return '<p><em>' . esc_html(
				sprintf(
					/* translators: %s: server address. */
					__( 'The licensing server at %s could not be reached, so its part of this text (what it stores, for how long, subprocessors and your rights) is missing here. Open this page again when the server can be reached.', 'batchkeys' ),
					$url
				)
			) . '</em></p>' . "\n";
		}
		$out   = array();
		$out[] = '<h2>' . esc_html( '' !== ( $cached['title'] ?? '' ) ? $cached['title'] : __( 'How your data is processed for licensing', 'batchkeys' ) ) . '</h2>';
		foreach ( $cached['sections'] as $section ) {
			if ( ! is_array( $section ) ) {
				continue;
			}
			$out[] = '<h3>' . esc_html( (string) ( $section['title'] ?? '' ) ) . '</h3>';
			foreach ( (array) ( $section['paragraphs'] ?? array() ) as $paragraph ) {
				$out[] = '<p>' . esc_html( (string) $paragraph ) . '</p>';
			}
			$items = (array) ( $section['items'] ?? array() );
			if ( array() !== $items ) {
				$out[] = '<ul>';
				foreach ( $items as $item ) {
					$out[] = '<li>' . esc_html( (string) $item ) . '</li>';
				}
				$out[] = '</ul>';
			}
		}
		if ( ! empty( $cached['failed_at'] ) ) {
			$out[] = '<p><em>' . esc_html(
				sprintf(
					/* translators: %s: date. */
					__( 'The licensing server could not be reached just now; this part is the copy fetched on %s.', 'batchkeys' ),
					gmdate( 'Y-m-d', (int) $cached['fetched_at'] )
				)
			) . '</em></p>';
		}
		return implode( "\n", $out ) . "\n";
	}

	/** The saved copy of the server's policy. */
	private static function cached(): array {
		$cached = get_option( self::OPTION, array() );
		return is_array( $cached ) ? $cached : array();
	}
}
