/**
 * Copies text. navigator.clipboard needs a secure context (an http:// wp-admin on a real host is
 * not one) and may be refused by the browser's permissions; the old execCommand path covers both.
 */
export async function copyText( text: string ): Promise< void > {
	if ( window.isSecureContext && navigator.clipboard ) {
		try {
			await navigator.clipboard.writeText( text );
			return;
		} catch {
			// Fall through to the selection-based copy.
		}
	}
	const area = document.createElement( 'textarea' );
	area.value = text;
	area.setAttribute( 'readonly', '' );
	area.style.position = 'fixed';
	area.style.opacity = '0';
	const focused = document.activeElement;
	document.body.appendChild( area );
	area.select();
	const ok = document.execCommand( 'copy' );
	area.remove();
	if ( focused instanceof HTMLElement ) {
		focused.focus();
	}
	if ( ! ok ) {
		throw new Error( 'copy refused' );
	}
}
