<?php
/**
 * Removes the plugin's options, transients and capability when it is deleted from wp-admin.
 *
 * @package BatchKeys
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

if ( ! defined( 'BATCHKEYS_VERSION' ) ) {
	define( 'BATCHKEYS_VERSION', '0.1.0' );
}
require_once __DIR__ . '/includes/Autoloader.php';
BatchKeys\Autoloader::register( __DIR__ . '/includes' );

if ( is_multisite() ) {
	foreach ( get_sites( array( 'fields' => 'ids' ) ) as $batchkeys_site_id ) {
		switch_to_blog( $batchkeys_site_id );
		BatchKeys\Lifecycle::uninstall();
		restore_current_blog();
	}
} else {
	BatchKeys\Lifecycle::uninstall();
}
