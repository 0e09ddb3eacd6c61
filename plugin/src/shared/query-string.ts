/** Query values worth sending: empty strings, null and undefined are left out. */
export type QueryValue = string | number | boolean | null | undefined;

export function cleanQuery(
	query: Record< string, QueryValue >
): Record< string, string > {
	const out: Record< string, string > = {};
	for ( const [ name, value ] of Object.entries( query ) ) {
		if ( value === undefined || value === null || value === '' ) {
			continue;
		}
		out[ name ] = String( value );
	}
	return out;
}
