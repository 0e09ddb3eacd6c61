import { SnackbarList } from '@wordpress/components';
import { useDispatch, useSelect } from '@wordpress/data';
import { store as noticesStore } from '@wordpress/notices';

/** The snackbar notices of the core/notices store, fixed at the bottom of the screen. */
export function Snackbars() {
	const notices = useSelect(
		( select ) =>
			select( noticesStore )
				.getNotices()
				.filter( ( notice ) => notice.type === 'snackbar' ),
		[]
	);
	const { removeNotice } = useDispatch( noticesStore );
	return (
		<SnackbarList
			className="batchkeys-snackbars"
			notices={ notices.map( ( notice ) => ( {
				id: notice.id,
				content: notice.content,
				explicitDismiss: notice.explicitDismiss === true,
				...( notice.status === 'error'
					? { politeness: 'assertive' as const }
					: {} ),
			} ) ) }
			onRemove={ ( id ) => void removeNotice( id ) }
		/>
	);
}
