import { Spinner } from '@wordpress/components';

/** A spinner with words, announced politely to screen readers. */
export function Loading( { label }: { label: string } ) {
	return (
		<div className="batchkeys-loading" role="status" aria-live="polite">
			<Spinner />
			<span>{ label }</span>
		</div>
	);
}
