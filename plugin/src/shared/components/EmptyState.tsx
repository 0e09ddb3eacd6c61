import type { ReactNode } from 'react';

/** A designed empty state: what is missing, why it matters, and the one thing to do next. */
export function EmptyState( {
	title,
	children,
	action,
}: {
	title: string;
	children?: ReactNode;
	action?: ReactNode;
} ) {
	return (
		<div className="batchkeys-empty">
			<h2 className="batchkeys-empty__title">{ title }</h2>
			{ children && <p className="batchkeys-empty__text">{ children }</p> }
			{ action }
		</div>
	);
}
