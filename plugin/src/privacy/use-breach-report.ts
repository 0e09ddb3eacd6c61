import { useCallback, useState } from '@wordpress/element';
import { useNotify } from '../shared/use-notify';
import { privacyApi } from './api';
import type { BreachQuery, BreachReport } from './types';

/** Creates a breach report; keeps the last one to read. */
export function useBreachReport() {
	const notify = useNotify();
	const [ report, setReport ] = useState< BreachReport | null >( null );
	const [ isCreating, setCreating ] = useState( false );

	const create = useCallback(
		async ( query: BreachQuery ) => {
			setCreating( true );
			try {
				setReport( await privacyApi.breachReport( query ) );
			} catch ( e ) {
				notify.error( e );
			} finally {
				setCreating( false );
			}
		},
		[ notify ]
	);

	return { report, isCreating, create };
}
