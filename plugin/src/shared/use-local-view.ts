import { filterSortAndPaginate, type Field, type View } from '@wordpress/dataviews/wp';
import { useMemo, useState } from '@wordpress/element';

/** A DataViews view over data already in memory (search, filters, sort and pages done here). */
export function useLocalView< Item >( data: Item[], fields: Field< Item >[], initial: View ) {
	const [ view, setView ] = useState< View >( initial );
	const { data: shown, paginationInfo } = useMemo(
		() => filterSortAndPaginate( data, view, fields ),
		[ data, view, fields ]
	);
	return { view, setView, shown, paginationInfo };
}
