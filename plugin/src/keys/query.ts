/**
 * The keys list's pure parts: a DataViews view as the REST list's query, and page numbers mapped
 * onto the list's cursors. The REST list sorts on the server (by creation or by expiry, either
 * way) and only goes forwards (`nextCursor`), so the cursor of every page visited is kept: pages
 * already seen, plus the next one, can be opened.
 */

export interface ListFilter {
	field: string;
	operator: string;
	value: unknown;
}

export interface ListView {
	search?: string;
	filters?: ListFilter[];
	page?: number;
	perPage?: number;
	sort?: { field: string; direction: 'asc' | 'desc' };
}

export interface ListQuery {
	status?: string;
	product?: string;
	q?: string;
	sort?: SortField;
	order?: 'asc' | 'desc';
	limit: number;
}

export const STATUSES = [ 'active', 'suspended', 'revoked', 'expired' ] as const;

/** The columns the server sorts by; no other column may be sortable in the view. */
export const SORT_FIELDS = [ 'createdAt', 'expiresAt' ] as const;
export type SortField = ( typeof SORT_FIELDS )[ number ];

const isSortField = ( field: string ): field is SortField =>
	( SORT_FIELDS as readonly string[] ).includes( field );

function filterValue( view: ListView, field: string ): string | undefined {
	const filter = view.filters?.find(
		( f ) => f.field === field && f.operator === 'is'
	);
	return typeof filter?.value === 'string' && filter.value !== ''
		? filter.value
		: undefined;
}

/** The query of the REST list for a view (without its cursor). */
export function viewToQuery( view: ListView ): ListQuery {
	const query: ListQuery = { limit: view.perPage ?? 20 };
	const status = filterValue( view, 'status' );
	if ( status && ( STATUSES as readonly string[] ).includes( status ) ) {
		query.status = status;
	}
	const product = filterValue( view, 'product' );
	if ( product ) {
		query.product = product;
	}
	const q = view.search?.trim();
	if ( q ) {
		query.q = q;
	}
	// A sort the server does not know is left out: the list is then newest first.
	if ( view.sort && isSortField( view.sort.field ) ) {
		query.sort = view.sort.field;
		query.order = view.sort.direction === 'asc' ? 'asc' : 'desc';
	}
	return query;
}

/**
 * Two views with the same key list the same keys in the same order: their cursors are
 * interchangeable. A cursor belongs to its sort and order (the server refuses it for another).
 */
export function queryKey( query: ListQuery ): string {
	return JSON.stringify( [
		query.status ?? '',
		query.product ?? '',
		query.q ?? '',
		query.sort ?? 'createdAt',
		query.order ?? 'desc',
		query.limit,
	] );
}

/** A changed search, filter, sort or page size starts again at page 1: old cursors mean nothing there. */
export function normalizeView< V extends ListView >( previous: V, next: V ): V {
	if (
		queryKey( viewToQuery( previous ) ) !== queryKey( viewToQuery( next ) ) &&
		( next.page ?? 1 ) !== 1
	) {
		return { ...next, page: 1 };
	}
	return next;
}

export interface CursorTrail {
	key: string;
	/** cursors[i] opens page i + 1; page 1 needs none (null). */
	cursors: ( string | null )[];
}

export const startTrail = ( key: string ): CursorTrail => ( {
	key,
	cursors: [ null ],
} );

/** The cursor that opens a page, or undefined when that page has not been reached yet. */
export function cursorForPage(
	trail: CursorTrail,
	page: number
): string | null | undefined {
	return page >= 1 ? trail.cursors[ page - 1 ] : undefined;
}

/** Records what a page's answer said about the page after it. */
export function recordPage(
	trail: CursorTrail,
	page: number,
	nextCursor: string | null
): CursorTrail {
	if ( trail.cursors[ page ] === nextCursor && nextCursor !== null ) {
		return trail;
	}
	const cursors = trail.cursors.slice( 0, page );
	if ( nextCursor !== null ) {
		cursors.push( nextCursor );
	}
	return { key: trail.key, cursors };
}

/** Pages that can be opened: those visited and, if the last one said so, the next. */
export const pageCount = ( trail: CursorTrail ): number =>
	trail.cursors.length;
