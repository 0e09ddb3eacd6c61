import { describe, expect, it } from 'vitest';
import {
	type ListView,
	cursorForPage,
	normalizeView,
	pageCount,
	queryKey,
	recordPage,
	sortItems,
	startTrail,
	viewToQuery,
} from './query';

describe( 'the keys list query', () => {
	it( 'sends the search, the status and the product filters, and the page size', () => {
		expect(
			viewToQuery( {
				search: '  ana@example.com ',
				perPage: 50,
				filters: [
					{ field: 'status', operator: 'is', value: 'suspended' },
					{ field: 'product', operator: 'is', value: 'gallery-pro' },
				],
			} )
		).toEqual( { q: 'ana@example.com', status: 'suspended', product: 'gallery-pro', limit: 50 } );
	} );

	it( 'leaves out an empty search, an unknown status and filters it cannot express', () => {
		expect(
			viewToQuery( {
				search: '   ',
				filters: [
					{ field: 'status', operator: 'is', value: 'deleted' },
					{ field: 'product', operator: 'isNot', value: 'gallery-pro' },
					{ field: 'status', operator: 'is', value: '' },
				],
			} )
		).toEqual( { limit: 20 } );
	} );

	it( 'gives the same key to views that list the same keys, whatever their page or sort', () => {
		const a = viewToQuery( { search: 'x', page: 1, sort: { field: 'status', direction: 'asc' } } );
		const b = viewToQuery( { search: 'x', page: 3 } );
		expect( queryKey( a ) ).toBe( queryKey( b ) );
		expect( queryKey( viewToQuery( { search: 'y' } ) ) ).not.toBe( queryKey( a ) );
	} );

	it( 'goes back to page 1 when the search or a filter changes, not when only the page does', () => {
		const before: ListView = { search: 'a', page: 3 };
		expect( normalizeView( before, { search: 'ab', page: 3 } ).page ).toBe( 1 );
		expect( normalizeView( before, { search: 'a', page: 2 } ).page ).toBe( 2 );
		expect( normalizeView( before, { search: 'a', page: 3, filters: [ { field: 'status', operator: 'is', value: 'active' } ] } ).page ).toBe( 1 );
	} );
} );

describe( 'pages mapped onto cursors', () => {
	it( 'opens page 1 without a cursor and knows no other page at first', () => {
		const trail = startTrail( 'k' );
		expect( cursorForPage( trail, 1 ) ).toBeNull();
		expect( cursorForPage( trail, 2 ) ).toBeUndefined();
		expect( pageCount( trail ) ).toBe( 1 );
	} );

	it( 'offers the next page once a page answered a next cursor, and keeps the cursor of each page visited', () => {
		let trail = recordPage( startTrail( 'k' ), 1, 'c2' );
		expect( pageCount( trail ) ).toBe( 2 );
		expect( cursorForPage( trail, 2 ) ).toBe( 'c2' );
		trail = recordPage( trail, 2, 'c3' );
		trail = recordPage( trail, 3, null );
		expect( pageCount( trail ) ).toBe( 3 );
		expect( [ 1, 2, 3 ].map( ( p ) => cursorForPage( trail, p ) ) ).toEqual( [ null, 'c2', 'c3' ] );
	} );

	it( 'keeps later pages when an earlier one is revisited with the same answer', () => {
		let trail = recordPage( recordPage( startTrail( 'k' ), 1, 'c2' ), 2, 'c3' );
		trail = recordPage( trail, 1, 'c2' );
		expect( pageCount( trail ) ).toBe( 3 );
	} );

	it( 'forgets the pages after one whose answer changed (keys were added or removed meanwhile)', () => {
		let trail = recordPage( recordPage( startTrail( 'k' ), 1, 'c2' ), 2, 'c3' );
		trail = recordPage( trail, 1, 'c2-new' );
		expect( trail.cursors ).toEqual( [ null, 'c2-new' ] );
		trail = recordPage( trail, 1, null );
		expect( pageCount( trail ) ).toBe( 1 );
	} );
} );

describe( 'sorting a page', () => {
	const rows = [
		{ id: 'a', n: 2, s: 'beta' },
		{ id: 'b', n: null, s: 'alpha' },
		{ id: 'c', n: 1, s: 'gamma' },
	];
	const value = ( row: ( typeof rows )[ number ], field: string ) =>
		field === 'n' ? row.n : row.s;

	it( 'sorts numbers and text both ways, with missing values last', () => {
		expect( sortItems( rows, { field: 'n', direction: 'asc' }, value ).map( ( r ) => r.id ) ).toEqual( [ 'c', 'a', 'b' ] );
		expect( sortItems( rows, { field: 'n', direction: 'desc' }, value ).map( ( r ) => r.id ) ).toEqual( [ 'a', 'c', 'b' ] );
		expect( sortItems( rows, { field: 's', direction: 'asc' }, value ).map( ( r ) => r.id ) ).toEqual( [ 'b', 'a', 'c' ] );
	} );

	it( 'leaves the server order alone without a sort, and never reorders its input', () => {
		expect( sortItems( rows, undefined, value ) ).toEqual( rows );
		sortItems( rows, { field: 'n', direction: 'asc' }, value );
		expect( rows.map( ( r ) => r.id ) ).toEqual( [ 'a', 'b', 'c' ] );
	} );
} );
