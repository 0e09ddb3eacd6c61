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

/** The privacy tools' options and cron events (their transients go with Lifecycle's prefix clean-up). */
function batchkeys_uninstall_privacy(): void {
	foreach ( array( BatchKeys\Privacy\Comment_Privacy::OPTION, BatchKeys\Privacy\Comment_Privacy::STATE_OPTION, BatchKeys\Privacy\Policy_Text::OPTION ) as $batchkeys_option ) {
		delete_option( $batchkeys_option );
	}
	foreach ( array( BatchKeys\Privacy\Comment_Privacy::CRON_HOOK, BatchKeys\Privacy\Comment_Privacy::MORE_HOOK, BatchKeys\Privacy\Policy_Text::CRON_HOOK ) as $batchkeys_hook ) {
		wp_clear_scheduled_hook( $batchkeys_hook );
	}
}

if ( is_multisite() ) {
	foreach ( get_sites( array( 'fields' => 'ids' ) ) as $batchkeys_site_id ) {
		switch_to_blog( $batchkeys_site_id );
		BatchKeys\Lifecycle::uninstall();
		batchkeys_uninstall_privacy();
		restore_current_blog();
	}
} else {
	BatchKeys\Lifecycle::uninstall();
	batchkeys_uninstall_privacy();
}
