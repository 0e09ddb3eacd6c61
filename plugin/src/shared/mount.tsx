import { createRoot } from '@wordpress/element';
import type { ReactNode } from 'react';
import { Snackbars } from './components/Snackbars';
import './admin.css';

/** Renders a screen into its root element (printed by PHP) once the document is parsed. */
export function mount( rootId: string, screen: ReactNode ): void {
	const run = () => {
		const element = document.getElementById( rootId );
		if ( ! element ) {
			return;
		}
		createRoot( element ).render(
			<>
				{ screen }
				<Snackbars />
			</>
		);
	};
	if ( document.readyState === 'loading' ) {
		document.addEventListener( 'DOMContentLoaded', run );
	} else {
		run();
	}
}
