<?php
/**
 * Class autoloader: `BatchKeys\Foo\Bar_Baz` lives in `includes/Foo/Bar_Baz.php`.
 *
 * @package BatchKeys
 */

namespace BatchKeys;

defined( 'ABSPATH' ) || exit;

/**
 * A PSR-4 style loader for the plugin's own namespace, so the plugin needs no Composer at runtime.
 */
final class Autoloader {

	private const PREFIX = 'BatchKeys\\';

	/**
	 * Registers the loader for classes under `$base_dir`.
	 *
	 * @param string $base_dir Absolute path of the includes folder.
	 */
	public static function register( string $base_dir ): void {
		spl_autoload_register(
			static function ( string $class_name ) use ( $base_dir ): void {
				if ( ! str_starts_with( $class_name, self::PREFIX ) ) {
					return;
				}
				$relative = substr( $class_name, strlen( self::PREFIX ) );
				// Only plain class names: nothing a caller passes can climb out of the folder.
				if ( ! preg_match( '/^[A-Za-z0-9_\\\\]+$/', $relative ) ) {
					return;
				}
				$file = $base_dir . '/' . str_replace( '\\', '/', $relative ) . '.php';
				if ( is_readable( $file ) ) {
					require_once $file;
				}
			}
		);
	}
}
