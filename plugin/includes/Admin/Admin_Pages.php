<?php
/**
 * The wp-admin menu and pages.
 *
 * @package BatchKeys
 */

namespace BatchKeys\Admin;

use BatchKeys\Connection\Settings;
use BatchKeys\Lifecycle;

defined( 'ABSPATH' ) || exit;

/**
 * Adds "BatchKeys" with Keys, Products & policies, Settings and Privacy. Each page is a root
 * element that a TSX screen fills in; when the screens are not built, the page says how to build
 * them.
 */
final class Admin_Pages {

	/** Page slug => screen. */
	private const SCREENS = array(
		'batchkeys'          => 'keys',
		'batchkeys-products' => 'products',
		'batchkeys-settings' => 'settings',
		'batchkeys-privacy'  => 'privacy',
	);

	/**
	 * Hook suffixes of the pages (they depend on the translated menu title, so they are kept).
	 *
	 * @var array<string, string> hook suffix => screen
	 */
	private array $hooks = array();

	/** Hooks into wp-admin. */
	public function register(): void {
		add_action( 'admin_menu', array( $this, 'add_menu' ) );
		add_action( 'admin_enqueue_scripts', array( $this, 'enqueue' ) );
		add_action( 'admin_notices', array( $this, 'notices' ) );
		add_filter( 'plugin_action_links_' . plugin_basename( BATCHKEYS_FILE ), array( $this, 'action_links' ) );
	}

	/** Adds the menu. */
	public function add_menu(): void {
		$render = array( $this, 'render' );
		$cap    = Lifecycle::CAPABILITY;

		$this->hooks[ (string) add_menu_page( __( 'BatchKeys', 'batchkeys' ), __( 'BatchKeys', 'batchkeys' ), $cap, 'batchkeys', $render, 'dashicons-admin-network', 81 ) ] = 'keys';
		$this->hooks[ (string) add_submenu_page( 'batchkeys', __( 'License keys', 'batchkeys' ), __( 'Keys', 'batchkeys' ), $cap, 'batchkeys', $render ) ] = 'keys';
		$this->hooks[ (string) add_submenu_page( 'batchkeys', __( 'Products & policies', 'batchkeys' ), __( 'Products & policies', 'batchkeys' ), $cap, 'batchkeys-products', $render ) ] = 'products';
		$this->hooks[ (string) add_submenu_page( 'batchkeys', __( 'BatchKeys settings', 'batchkeys' ), __( 'Settings', 'batchkeys' ), $cap, 'batchkeys-settings', $render ) ] = 'settings';
		$this->hooks[ (string) add_submenu_page( 'batchkeys', __( 'BatchKeys privacy', 'batchkeys' ), __( 'Privacy', 'batchkeys' ), $cap, 'batchkeys-privacy', $render ) ] = 'privacy';
		unset( $this->hooks[''] );
	}

	/**
	 * Enqueues the current page's screen.
	 *
	 * @param string $hook_suffix The page's hook suffix.
	 */
	public function enqueue( string $hook_suffix ): void {
		if ( isset( $this->hooks[ $hook_suffix ] ) ) {
			Screen_Assets::enqueue( $this->hooks[ $hook_suffix ] );
		}
	}

	/** Prints the page: a root element for the screen. */
	public function render(): void {
		if ( ! current_user_can( Lifecycle::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to manage license keys.', 'batchkeys' ), 403 );
		}
		$screen = $this->current_screen();
		if ( null === $screen ) {
			return;
		}
		echo '<div class="wrap">';
		if ( Screen_Assets::built( $screen ) ) {
			printf( '<div id="%s"></div>', esc_attr( "batchkeys-{$screen}-root" ) );
			printf( '<noscript><p>%s</p></noscript>', esc_html__( 'The BatchKeys screens need JavaScript.', 'batchkeys' ) );
		} else {
			printf( '<h1>%s</h1>', esc_html__( 'BatchKeys', 'batchkeys' ) );
			printf( '<p>%s</p>', esc_html__( 'The BatchKeys screens are not built yet. See the notice above.', 'batchkeys' ) );
		}
		echo '</div>';
	}

	/** Notices on the plugin's own pages: a missing build, a missing or unreadable connection. */
	public function notices(): void {
		$screen = $this->current_screen();
		if ( null === $screen || ! current_user_can( Lifecycle::CAPABILITY ) ) {
			return;
		}
		if ( ! Screen_Assets::built( $screen ) ) {
			printf(
				'<div class="notice notice-error"><p>%s</p></div>',
				wp_kses(
					sprintf(
						/* translators: %s: the command to run. */
						__( 'The BatchKeys admin screens have not been built. In the plugin\'s source folder, run %s, then reload this page.', 'batchkeys' ),
						'<code>npm run plugin:build</code>'
					),
					array( 'code' => array() )
				)
			);
			return;
		}
		if ( 'settings' === $screen ) {
			if ( Settings::token_unreadable() ) {
				printf( '<div class="notice notice-warning"><p>%s</p></div>', esc_html__( 'The saved admin token can no longer be read, probably because the site\'s security keys changed. Enter it again.', 'batchkeys' ) );
			}
			return;
		}
		if ( ! Settings::is_connected() ) {
			printf(
				'<div class="notice notice-warning"><p>%s <a href="%s">%s</a></p></div>',
				esc_html__( 'This site is not connected to a BatchKeys server yet.', 'batchkeys' ),
				esc_url( admin_url( 'admin.php?page=batchkeys-settings' ) ),
				esc_html__( 'Connect it in the settings.', 'batchkeys' )
			);
		}
	}

	/**
	 * Adds a "Settings" link on the Plugins screen.
	 *
	 * @param array $links Existing links.
	 */
	public function action_links( array $links ): array {
		if ( current_user_can( Lifecycle::CAPABILITY ) ) {
			array_unshift(
				$links,
				sprintf( '<a href="%s">%s</a>', esc_url( admin_url( 'admin.php?page=batchkeys-settings' ) ), esc_html__( 'Settings', 'batchkeys' ) )
			);
		}
		return $links;
	}

	/** The screen of the current BatchKeys page, or null on any other page. */
	private function current_screen(): ?string {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- reading which page is shown changes nothing.
		$page = isset( $_GET['page'] ) ? sanitize_key( wp_unslash( $_GET['page'] ) ) : '';
		return self::SCREENS[ $page ] ?? null;
	}
}
