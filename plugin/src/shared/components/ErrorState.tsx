import { Notice } from '@wordpress/components';
import { __ } from '@wordpress/i18n';

/** A load that failed, said in words, with a way to try again. */
export function ErrorState( {
	message,
	onRetry,
}: {
	message: string;
	onRetry?: () => void;
} ) {
	return (
		<Notice
			status="error"
			isDismissible={ false }
			actions={
				onRetry
					? [ { label: __( 'Try again', 'batchkeys' ), onClick: onRetry } ]
					: []
			}
		>
			{ message }
		</Notice>
	);
}
