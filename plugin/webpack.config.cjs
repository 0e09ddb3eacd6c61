/**
 * The admin screens, built with @wordpress/scripts' own configuration: WordPress packages, React
 * and the JSX runtime stay externals (dependency extraction writes each entry's index.asset.php),
 * while @wordpress/dataviews, which WordPress does not ship as a script, is bundled.
 */
const { resolve } = require( 'node:path' );
const defaultConfig = require( '@wordpress/scripts/config/webpack.config' );

const screens = [ 'keys', 'products', 'settings', 'privacy' ];

module.exports = {
	...defaultConfig,
	entry: Object.fromEntries(
		screens.map( ( screen ) => [
			`${ screen }/index`,
			resolve( __dirname, 'src', screen, 'index.tsx' ),
		] )
	),
	output: { ...defaultConfig.output, path: resolve( __dirname, 'build' ) },
	// @wordpress/dataviews/wp carries its own copy of @wordpress/components (about 1.8 MB, 300 KB
	// gzipped, per list screen): warn only well above that.
	performance: { maxAssetSize: 2.5e6, maxEntrypointSize: 2.6e6 },
	optimization: {
		...defaultConfig.optimization,
		// One stylesheet per screen (build/<screen>/index.css), DataViews' CSS included, so the
		// PHP side enqueues a single predictable file.
		splitChunks: false,
	},
};
