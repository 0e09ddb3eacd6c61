import { useDispatch } from '@wordpress/data';
import { useMemo } from '@wordpress/element';
import { store as noticesStore } from '@wordpress/notices';
import { toApiError } from './api';

export interface Notify {
	success: ( message: string ) => void;
	/** An error notice stays until dismissed: it usually asks the reader to do something. */
	error: ( error: unknown, prefix?: string ) => void;
}

/** Snackbar notices through the core/notices store, rendered by <Snackbars />. */
export function useNotify(): Notify {
	const { createSuccessNotice, createErrorNotice } =
		useDispatch( noticesStore );
	return useMemo(
		() => ( {
			success: ( message ) => {
				void createSuccessNotice( message, { type: 'snackbar' } );
			},
			error: ( error, prefix ) => {
				const message = toApiError( error ).message;
				void createErrorNotice(
					prefix ? `${ prefix } ${ message }` : message,
					{ type: 'snackbar', explicitDismiss: true }
				);
			},
		} ),
		[ createSuccessNotice, createErrorNotice ]
	);
}
