/**
 * The privacy screen's calls: batchkeys/v1/privacy/*, through the shared REST client.
 */
import { request } from '../shared/api';
import type { CursorPage } from '../shared/types';
import type { BreachQuery, BreachReport, SubjectRequest, SubjectRequestInput } from './types';

const id = encodeURIComponent;

export interface RequestListQuery {
	status?: 'open' | 'completed' | undefined;
	overdue?: boolean | undefined;
	cursor?: string | undefined;
}

export const privacyApi = {
	/** Raw: read with readOverview(). */
	overview: () => request< unknown >( '/privacy/overview' ),
	/** Raw: read with readComments(). */
	saveComments: ( input: { retentionDays?: number; storeIp?: boolean; storeUserAgent?: boolean } ) =>
		request< unknown >( '/privacy/comments', { method: 'POST', data: input } ),
	/** `comments`: the settings and totals after the run (read with readComments()). */
	runRetention: () =>
		request< { anonymised: number; more?: boolean; comments?: unknown } >( '/privacy/comments/run', { method: 'POST', data: {} } ),
	listRequests: ( query: RequestListQuery = {} ) =>
		request< CursorPage< SubjectRequest > >( '/privacy/requests', {
			query: {
				status: query.status,
				overdue: query.overdue ? 'true' : undefined,
				cursor: query.cursor,
			},
		} ),
	createRequest: ( input: SubjectRequestInput ) =>
		request< { request: SubjectRequest } >( '/privacy/requests', { method: 'POST', data: input } ),
	completeRequest: ( requestId: string, body: { artefact?: Record< string, unknown > } = {} ) =>
		request< { request: SubjectRequest } >( `/privacy/requests/${ id( requestId ) }/complete`, {
			method: 'POST',
			data: body,
		} ),
	breachReport: ( query: BreachQuery ) =>
		request< BreachReport >( '/privacy/breach-reports', { method: 'POST', data: query } ),
	/** Raw answer: { account: { id, apiSuspendedAt } }. */
	setApiAccess: ( suspend: boolean ) =>
		request< { account?: { id?: string; apiSuspendedAt?: string | null } } >( '/privacy/api-access', {
			method: 'POST',
			data: { suspend },
		} ),
};
