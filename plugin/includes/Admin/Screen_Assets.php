<?php
/**
 * Scripts and styles of the admin screens.
 *
 * @package BatchKeys
 */

namespace BatchKeys\Admin;

use BatchKeys\Connection\Settings;
use BatchKeys\Lifecycle;

defined( 'ABSPATH' ) || exit;

/**
 * Enqueues a screen built by `npm run plugin:build` into `build/<screen>/`, with the
 * dependencies and version that @wordpress/scripts wrote to `index.asset.php`.
 */
final class Screen_Assets {

	/**
	 * True when the screen's build is present.
	 *
	 * @param string $screen keys, products or settings.
	 */
	public static function built( string $screen ): bool {
		return is_readable( self::path( $screen, 'index.asset.php' ) ) && is_readable( self::path( $screen, 'index.js' ) );
	}

	/**
	 * Enqueues the screen's script with its boot data; false when it is not built.
	 *
	 * @param string $screen keys, products or settings.
	 */
	public static function enqueue( string $screen ): bool {
		if ( ! self::built( $screen ) ) {
			return false;
		}
		$asset   = require self::path( $screen, 'index.asset.php' );
		$deps    = is_array( $asset['dependencies'] ?? null ) ? $asset['dependencies'] : array();
		$version = is_string( $asset['version'] ?? null ) ? $asset['version'] : BATCHKEYS_VERSION;
		$handle  = 'batchkeys-' . $screen;

		wp_register_script( $handle, plugins_url( "build/{$screen}/index.js", BATCHKEYS_FILE ), $deps, $version, array( 'in_footer' => true ) );
		wp_add_inline_script( $handle, 'window.batchkeysAdmin = ' . wp_json_encode( self::boot_data() ) . ';', 'before' );
		wp_enqueue_script( $handle );
		wp_set_script_translations( $handle, 'batchkeys', BATCHKEYS_DIR . '/languages' );

		wp_enqueue_style( 'wp-components' );
		foreach ( array( 'index.css', 'style-index.css' ) as $css ) {
			if ( is_readable( self::path( $screen, $css ) ) ) {
				$style = $handle . '-' . sanitize_key( $css );
				wp_enqueue_style( $style, plugins_url( "build/{$screen}/{$css}", BATCHKEYS_FILE ), array( 'wp-components' ), $version );
				// @wordpress/scripts also writes a right-to-left copy next to each stylesheet.
				wp_style_add_data( $style, 'rtl', 'replace' );
			}
		}
		return true;
	}

	/** What the screens need to start: never the token. */
	public static function boot_data(): array {
		$connected = Settings::is_connected();
		return array(
			'connected' => $connected,
			'serverUrl' => Settings::server_url(),
			'adminUrl'  => admin_url( 'admin.php' ),
			'canReveal' => $connected && Settings::token_may_reveal() && current_user_can( Lifecycle::CAPABILITY ),
		);
	}

	/**
	 * @param string $screen Screen folder.
	 * @param string $file   File name.
	 */
	private static function path( string $screen, string $file ): string {
		return BATCHKEYS_DIR . '/build/' . $screen . '/' . $file;
	}
}
