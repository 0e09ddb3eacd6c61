import { Card, CardBody, CardHeader } from '@wordpress/components';
import type { ReactNode } from 'react';

/** A titled card; the heading names the region for screen readers. */
export function Section( {
	id,
	title,
	children,
}: {
	id: string;
	title: string;
	children: ReactNode;
} ) {
	return (
		<section aria-labelledby={ id }>
			<Card>
				<CardHeader>
					<h2 id={ id } style={ { margin: 0, fontSize: '14px' } }>
						{ title }
					</h2>
				</CardHeader>
				<CardBody>{ children }</CardBody>
			</Card>
		</section>
	);
}
