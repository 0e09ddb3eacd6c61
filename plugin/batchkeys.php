<?php
/**
 * Plugin Name:       BatchKeys
 * Description:       Manage license keys on your self-hosted BatchKeys server from wp-admin, and let themes and plugins check keys with one PHP call.
 * Version:           0.1.0
 * Requires at least: 6.6
 * Requires PHP:      8.1
 * Author:            The BatchKeys contributors
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       batchkeys
 * Domain Path:       /languages
 *
 * @package BatchKeys
 */

defined( 'ABSPATH' ) || exit;

define( 'BATCHKEYS_VERSION', '0.1.0' );
define( 'BATCHKEYS_FILE', __FILE__ );
define( 'BATCHKEYS_DIR', __DIR__ );

require_once __DIR__ . '/includes/Autoloader.php';
BatchKeys\Autoloader::register( __DIR__ . '/includes' );
require_once __DIR__ . '/includes/functions.php';

register_activation_hook( __FILE__, array( BatchKeys\Lifecycle::class, 'activate' ) );
register_deactivation_hook( __FILE__, array( BatchKeys\Lifecycle::class, 'deactivate' ) );

BatchKeys\Plugin::boot();
