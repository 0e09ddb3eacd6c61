<?php
/**
 * The "Test connection" check.
 *
 * @package BatchKeys
 */

namespace BatchKeys\Connection;

defined( 'ABSPATH' ) || exit;

/**
 * Tells apart what can be wrong with a connection, in the order a site owner would fix it:
 * the address, then whether a BatchKeys server answers there, then the token, then its scope.
 */
final class Connection_Tester {

	/**
	 * Tests a server URL and token (the saved ones unless given).
	 *
	 * @param string|null $server_url URL to test instead of the saved one.
	 * @param string|null $token      Token to test instead of the saved one.
	 * @return array{ok: bool, code: string, message: string}
	 */
	public static function test( ?string $server_url = null, ?string $token = null ): array {
		$url   = untrailingslashit( $server_url ?? Settings::server_url() );
		$token = $token ?? Settings::token();
		if ( '' === $url ) {
			return self::answer( false, 'NOT_CONFIGURED', __( 'Enter the address of your BatchKeys server first.', 'batchkeys' ) );
		}

		$public = new Server_Client( $url );
		$key    = $public->request( 'GET', '/v1/signing-key' );
		if ( is_wp_error( $key ) ) {
			return self::answer(
				false,
				'UNREACHABLE',
				/* translators: %s: server address. */
				sprintf( __( 'WordPress could not reach a server at %s. Check the address, and that the BatchKeys server is running and accepts connections from this site.', 'batchkeys' ), $url )
			);
		}
		$target = wp_parse_url( $key->header( 'location' ) );
		if ( $key->status >= 300 && $key->status < 400 && is_array( $target ) && isset( $target['scheme'], $target['host'] ) ) {
			// Redirects are not followed (the token must not travel elsewhere): name the new address.
			$origin = $target['scheme'] . '://' . $target['host'] . ( isset( $target['port'] ) ? ':' . $target['port'] : '' );
			return self::answer(
				false,
				'REDIRECTED',
				/* translators: 1: the address entered, 2: the address it redirects to. */
				sprintf( __( 'The server at %1$s sends visitors on to %2$s. Enter that address instead.', 'batchkeys' ), $url, esc_url_raw( $origin ) )
			);
		}
		$json = $key->json();
		if ( 200 !== $key->status || ! is_array( $json ) || ( $json['algorithm'] ?? '' ) !== 'ed25519' || ! is_string( $json['publicKey'] ?? null ) ) {
			return self::answer(
				false,
				'NOT_BATCHKEYS',
				/* translators: %s: server address. */
				sprintf( __( 'Something answers at %s, but it is not a BatchKeys server. Check the address: it is the one BatchKeys prints when it starts, without any path.', 'batchkeys' ), $url )
			);
		}

		if ( null === $token || '' === $token ) {
			if ( Settings::token_unreadable() ) {
				return self::answer( false, 'NO_TOKEN', __( 'The saved admin token can no longer be read, probably because the site\'s security keys changed. Enter the token again.', 'batchkeys' ) );
			}
			return self::answer( false, 'NO_TOKEN', __( 'The server was found. Now enter an admin token from it.', 'batchkeys' ) );
		}

		$admin   = new Server_Client( $url, $token );
		$account = $admin->request( 'GET', '/v1/admin/account' );
		if ( is_wp_error( $account ) ) {
			return self::answer( false, 'UNREACHABLE', __( 'The server stopped answering during the test. Try again in a moment.', 'batchkeys' ) );
		}
		if ( 401 === $account->status ) {
			return self::answer( false, 'BAD_TOKEN', __( 'The server does not accept this admin token: it is mistyped, revoked, or from another server. Create a new token on the server and paste it here.', 'batchkeys' ) );
		}
		$data = $account->json();
		if ( 200 !== $account->status || ! is_array( $data['account'] ?? null ) ) {
			return self::answer(
				false,
				'SERVER_ERROR',
				/* translators: %d: HTTP status code. */
				sprintf( __( 'The server could not answer the test (HTTP status %d). Look at the server\'s log.', 'batchkeys' ), $account->status )
			);
		}
		$name = (string) ( $data['account']['name'] ?? '' );

		// Revealing keys and managing tokens need the admin scope; a read or write token gets 403 here.
		$scope = $admin->request( 'GET', '/v1/admin/tokens' );
		if ( is_wp_error( $scope ) ) {
			return self::answer( false, 'UNREACHABLE', __( 'The server stopped answering during the test. Try again in a moment.', 'batchkeys' ) );
		}
		if ( 403 === $scope->status ) {
			if ( self::is_saved( $url, $token ) ) {
				Settings::remember_scope( 'limited' );
			}
			return self::answer( false, 'WRONG_SCOPE', __( 'The token works, but it is not an admin token, so this site cannot manage keys fully (for example reveal a key). Create a token with the "admin" scope on the server and paste it here.', 'batchkeys' ) );
		}
		if ( ! $scope->ok() ) {
			return self::answer(
				false,
				'SERVER_ERROR',
				/* translators: %d: HTTP status code. */
				sprintf( __( 'The server could not answer the test (HTTP status %d). Look at the server\'s log.', 'batchkeys' ), $scope->status )
			);
		}
		if ( self::is_saved( $url, $token ) ) {
			Settings::remember_scope( 'admin' );
		}
		if ( 'suspended' === ( $data['account']['status'] ?? '' ) ) {
			return self::answer(
				false,
				'ACCOUNT_SUSPENDED',
				/* translators: %s: account name. */
				sprintf( __( 'Connected, but the account "%s" is suspended on the server: all its keys answer as suspended.', 'batchkeys' ), $name )
			);
		}
		return self::answer(
			true,
			'OK',
			/* translators: %s: account name. */
			sprintf( __( 'Connected to the BatchKeys account "%s". Everything works.', 'batchkeys' ), $name )
		);
	}

	/**
	 * True when the tested values are the saved ones, so what was learnt may be remembered.
	 *
	 * @param string $url   Tested URL.
	 * @param string $token Tested token.
	 */
	private static function is_saved( string $url, string $token ): bool {
		return Settings::server_url() === $url && Settings::token() === $token;
	}

	/**
	 * @param bool   $ok      Whether all is well.
	 * @param string $code    A stable code for scripts.
	 * @param string $message Words for the site owner.
	 */
	private static function answer( bool $ok, string $code, string $message ): array {
		return array(
			'ok'      => $ok,
			'code'    => $code,
			'message' => $message,
		);
	}
}
