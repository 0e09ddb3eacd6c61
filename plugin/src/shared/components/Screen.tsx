import type { ReactNode } from 'react';

/** The frame of every BatchKeys screen: the wp-admin heading, optional actions, the content. */
export function Screen( {
	title,
	actions,
	children,
}: {
	title: string;
	actions?: ReactNode;
	children: ReactNode;
} ) {
	return (
		<div className="batchkeys-screen">
			<div className="batchkeys-screen__header">
				<h1 className="wp-heading-inline">{ title }</h1>
				{ actions }
			</div>
			<hr className="wp-header-end" />
			{ children }
		</div>
	);
}
