import { __ } from '@wordpress/i18n';
import { getBoot } from '../../shared/boot';
import { ErrorState } from '../../shared/components/ErrorState';
import { Loading } from '../../shared/components/Loading';
import { NotConnectedNotice } from '../../shared/components/NotConnectedNotice';
import { Screen } from '../../shared/components/Screen';
import { useApiAccess } from '../use-api-access';
import { useOverview } from '../use-overview';
import { ApiAccessSection } from './ApiAccessSection';
import { BreachSection } from './BreachSection';
import { InventorySection } from './InventorySection';
import { RequestsSection } from './RequestsSection';
import { RetentionSection } from './RetentionSection';
import { SubprocessorsSection } from './SubprocessorsSection';

export function PrivacyApp() {
	const o = useOverview();
	const account = o.overview?.account ?? null;
	const access = useApiAccess( account, o.setAccount );
	const title = __( 'Privacy', 'batchkeys' );

	if ( o.isLoading && ! o.overview ) {
		return (
			<Screen title={ title }>
				<Loading label={ __( 'Loading privacy settings…', 'batchkeys' ) } />
			</Screen>
		);
	}
	// The server refuses this account's tokens: say so, and how to get access back.
	const serverSuspended =
		o.error?.code === 'API_SUSPENDED' || o.overview?.accountError?.code === 'API_SUSPENDED';
	if ( ! o.overview ) {
		return (
			<Screen title={ title }>
				{ ! getBoot().connected && <NotConnectedNotice /> }
				{ o.error && <ErrorState message={ o.error.message } onRetry={ () => void o.reload() } /> }
				{ serverSuspended && (
					<div className="batchkeys-privacy">
						<ApiAccessSection account={ null } suspended isBusy={ access.isBusy } setSuspended={ access.setSuspended } />
					</div>
				) }
			</Screen>
		);
	}
	const { server, comments, policyUrl } = o.overview;
	// The admin API answers when the account could be read; the policy facts come from the public one.
	const connected = getBoot().connected && ( account !== null || server !== null );
	const suspended = account?.apiSuspendedAt != null || serverSuspended;
	const accountError = o.overview.accountError;
	return (
		<Screen title={ title }>
			{ o.error && <ErrorState message={ o.error.message } onRetry={ () => void o.reload() } /> }
			{ accountError && accountError.code !== 'API_SUSPENDED' && getBoot().connected && (
				<ErrorState message={ accountError.message } onRetry={ () => void o.reload() } />
			) }
			{ ! getBoot().connected && <NotConnectedNotice /> }
			<div className="batchkeys-privacy">
				<InventorySection server={ server } comments={ comments } policyUrl={ policyUrl } />
				<RetentionSection comments={ comments } onChange={ o.setComments } />
				<SubprocessorsSection items={ server?.subprocessors ?? [] } known={ server !== null } />
				{ connected && ! suspended && <RequestsSection /> }
				{ connected && ! suspended && <BreachSection notificationHours={ server?.breachNotificationHours ?? 72 } /> }
				{ ( connected || suspended ) && (
					<ApiAccessSection
						account={ account }
						suspended={ suspended }
						isBusy={ access.isBusy }
						setSuspended={ access.setSuspended }
					/>
				) }
			</div>
		</Screen>
	);
}
