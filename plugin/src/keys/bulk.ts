import type { BulkOutcome } from '../shared/format';
import { licenseeLabel } from '../shared/format';
import { toApiError } from '../shared/api';
import type { License } from '../shared/types';

/**
 * Runs one call per key, one after another (the server sees no burst), and collects what
 * failed and why instead of stopping at the first failure.
 */
export async function runEach(
	licenses: readonly License[],
	call: ( license: License ) => Promise< unknown >
): Promise< BulkOutcome > {
	const outcome: BulkOutcome = { succeeded: 0, failed: [] };
	for ( const license of licenses ) {
		try {
			await call( license );
			outcome.succeeded++;
		} catch ( e ) {
			outcome.failed.push( {
				label: licenseeLabel( license ),
				message: toApiError( e ).message,
			} );
		}
	}
	return outcome;
}
