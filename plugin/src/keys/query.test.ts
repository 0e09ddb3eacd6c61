import { describe, expect, it } from 'vitest';
import {
	type ListView,
	cursorForPage,
	normalizeView,
	pageCount,
	queryKey,
	recordPage,
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

	it( 'sends the sort to the server when it can sort by that column, both ways', () => {
		expect( viewToQuery( { sort: { field: 'expiresAt', direction: 'asc' } } ) ).toEqual( { sort: 'expiresAt', order: 'asc', limit: 20 } );
		expect( viewToQuery( { sort: { field: 'expiresAt', direction: 'desc' } } ) ).toEqual( { sort: 'expiresAt', order: 'desc', limit: 20 } );
		expect( viewToQuery( { sort: { field: 'createdAt', direction: 'asc' } } ) ).toEqual( { sort: 'createdAt', order: 'asc', limit: 20 } );
		// A column the server cannot sort by leaves the list newest first.
		expect( viewToQuery( { sort: { field: 'status', direction: 'asc' } } ) ).toEqual( { limit: 20 } );
	} );

	it( 'gives the same key to views that list the same keys in the same order, whatever their page', () => {
		const a = viewToQuery( { search: 'x', page: 1, sort: { field: 'createdAt', direction: 'desc' } } );
		const b = viewToQuery( { search: 'x', page: 3 } );
		expect( queryKey( a ) ).toBe( queryKey( b ) );
		expect( queryKey( viewToQuery( { search: 'y' } ) ) ).not.toBe( queryKey( a ) );
		// A cursor belongs to its sort and order.
		expect( queryKey( viewToQuery( { search: 'x', sort: { field: 'createdAt', direction: 'asc' } } ) ) ).not.toBe( queryKey( a ) );
		expect( queryKey( viewToQuery( { search: 'x', sort: { field: 'expiresAt', direction: 'desc' } } ) ) ).not.toBe( queryKey( a ) );
	} );

	it( 'goes back to page 1 when the search or a filter changes, not when only the page does', () => {
		const before: ListView = { search: 'a', page: 3 };
		expect( normalizeView( before, { search: 'ab', page: 3 } ).page ).toBe( 1 );
		expect( normalizeView( before, { search: 'a', page: 2 } ).page ).toBe( 2 );
		expect( normalizeView( before, { search: 'a', page: 3, filters: [ { field: 'status', operator: 'is', value: 'active' } ] } ).page ).toBe( 1 );
	} );

	it( 'goes back to page 1 when the sort or its direction changes', () => {
		const before: ListView = { page: 3, sort: { field: 'createdAt', direction: 'desc' } };
		expect( normalizeView( before, { page: 3, sort: { field: 'expiresAt', direction: 'desc' } } ).page ).toBe( 1 );
		expect( normalizeView( before, { page: 3, sort: { field: 'createdAt', direction: 'asc' } } ).page ).toBe( 1 );
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
