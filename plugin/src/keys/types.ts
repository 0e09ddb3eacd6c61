/** Which of the three views of the Keys page the URL asks for. */
export type KeysRoute =
	| { name: 'list' }
	| { name: 'new' }
	| { name: 'detail'; licenseId: string };
