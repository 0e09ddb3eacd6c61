import { statusLabel } from '../format';
import type { LicenseStatus } from '../types';

export function StatusBadge( { status }: { status: LicenseStatus } ) {
	return (
		<span className={ `batchkeys-status batchkeys-status--${ status }` }>
			{ statusLabel( status ) }
		</span>
	);
}
