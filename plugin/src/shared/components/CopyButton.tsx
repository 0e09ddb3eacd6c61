import { Button } from '@wordpress/components';
import { __ } from '@wordpress/i18n';
import { copyText } from '../clipboard';
import { useNotify } from '../use-notify';

/** "Copy key": copies the text and says so in a snackbar. */
export function CopyButton( { text }: { text: string } ) {
	const notify = useNotify();
	return (
		<Button
			variant="secondary"
			__next40pxDefaultSize
			onClick={ () => {
				copyText( text ).then(
					() => notify.success( __( 'Key copied.', 'batchkeys' ) ),
					() =>
						notify.error(
							new Error(
								__(
									'The browser refused to copy: select the key and copy it by hand.',
									'batchkeys'
								)
							)
						)
				);
			} }
		>
			{ __( 'Copy key', 'batchkeys' ) }
		</Button>
	);
}
