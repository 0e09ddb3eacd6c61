import { useCallback, useState } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import { useNotify } from '../shared/use-notify';
import { privacyApi } from './api';
import { retentionRunText } from './format';
import { readComments } from './overview';
import type { CommentRetention } from './types';

/** Saving the comment retention settings and running one retention pass now. */
export function useRetention( onChange: ( comments: CommentRetention ) => void ) {
	const notify = useNotify();
	const [ isSaving, setSaving ] = useState( false );
	const [ isRunning, setRunning ] = useState( false );
	const [ lastResult, setLastResult ] = useState< number | null >( null );

	const save = useCallback(
		async ( input: { retentionDays: number; storeIp: boolean; storeUserAgent: boolean } ) => {
			setSaving( true );
			try {
				onChange( readComments( await privacyApi.saveComments( input ) ) );
				notify.success( __( 'Retention saved.', 'batchkeys' ) );
				return true;
			} catch ( e ) {
				notify.error( e );
				return false;
			} finally {
				setSaving( false );
			}
		},
		[ notify, onChange ]
	);

	const run = useCallback( async () => {
		setRunning( true );
		try {
			const answer = await privacyApi.runRetention();
			const count = typeof answer.anonymised === 'number' ? answer.anonymised : 0;
			setLastResult( count );
			notify.success( retentionRunText( count ) );
			// The totals and the last run changed: take them from the answer, or read them back.
			if ( answer.comments ) {
				onChange( readComments( answer.comments ) );
				return;
			}
			try {
				const o = ( await privacyApi.overview() ) as { inventory?: { comments?: unknown } } | null;
				if ( o?.inventory?.comments ) {
					onChange( readComments( o.inventory.comments ) );
				}
			} catch {
				// The run itself succeeded; the totals refresh on the next load.
			}
		} catch ( e ) {
			notify.error( e );
		} finally {
			setRunning( false );
		}
	}, [ notify, onChange ] );

	return { isSaving, save, isRunning, run, lastResult };
}
