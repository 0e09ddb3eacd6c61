<?php
/**
 * Wires the plugin into WordPress.
 *
 * @package BatchKeys
 */

namespace BatchKeys;

defined( 'ABSPATH' ) || exit;

/**
 * Registers the hooks: translations, the catch-up install routine, REST routes, admin pages.
 */
final class Plugin {

	/** Called once from batchkeys.php. */
	public static function boot(): void {
		add_action( 'init', array( self::class, 'load_textdomain' ) );
		add_action( 'admin_init', array( Lifecycle::class, 'maybe_upgrade' ) );
		add_action( 'rest_api_init', array( self::class, 'register_rest_routes' ) );
		// Privacy tools: exporter, eraser, comment-data retention, suggested policy text.
		Privacy\Personal_Data_Exporter::register();
		Privacy\Personal_Data_Eraser::register();
		Privacy\Comment_Privacy::register();
		Privacy\Policy_Text::register();
		register_deactivation_hook( BATCHKEYS_FILE, array( self::class, 'deactivate_privacy' ) );
		if ( is_admin() ) {
			( new Admin\Admin_Pages() )->register();
		}
	}

	/** The plugin is distributed as a zip, not from WordPress.org: load its own translations. */
	public static function load_textdomain(): void {
		load_plugin_textdomain( 'batchkeys', false, dirname( plugin_basename( BATCHKEYS_FILE ) ) . '/languages' );
	}

	/** Registers `batchkeys/v1`. */
	public static function register_rest_routes(): void {
		( new Rest\Licenses_Controller() )->register_routes();
		( new Rest\Catalog_Controller() )->register_routes();
		( new Rest\Settings_Controller() )->register_routes();
		( new Privacy\Privacy_Controller() )->register_routes();
	}

	/** Deactivation: no cron events are left behind (settings are kept until uninstall). */
	public static function deactivate_privacy(): void {
		Privacy\Comment_Privacy::unschedule();
		Privacy\Policy_Text::unschedule();
	}
}
