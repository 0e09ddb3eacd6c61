import { __ } from '@wordpress/i18n';
import { ErrorState } from '../../shared/components/ErrorState';
import { Loading } from '../../shared/components/Loading';
import { Screen } from '../../shared/components/Screen';
import { StatusBadge } from '../../shared/components/StatusBadge';
import { licenseeLabel } from '../../shared/format';
import type { Catalog } from '../../shared/use-catalog';
import { pageUrl } from '../../shared/urls';
import { useLicense } from '../use-license';
import { ActivationsCard } from './ActivationsCard';
import { LicenseSummary } from './LicenseSummary';
import { RecentRequestsCard } from './RecentRequestsCard';
import { RevealKeyCard } from './RevealKeyCard';
import { StatusActions } from './StatusActions';
import { TokensCard } from './TokensCard';

export function KeyDetail( { licenseId, catalog }: { licenseId: string; catalog: Catalog } ) {
	const detail = useLicense( licenseId );
	const { license, activations, pending } = detail;
	const back = (
		<a href={ pageUrl( 'batchkeys' ) } className="page-title-action">
			{ __( 'All keys', 'batchkeys' ) }
		</a>
	);

	if ( ! license ) {
		return (
			<Screen title={ __( 'License key', 'batchkeys' ) } actions={ back }>
				{ detail.isLoading ? (
					<Loading label={ __( 'Loading the key…', 'batchkeys' ) } />
				) : (
					<ErrorState
						message={
							detail.error?.message ?? __( 'This key could not be loaded.', 'batchkeys' )
						}
						onRetry={ () => void detail.reload() }
					/>
				) }
			</Screen>
		);
	}

	const product = catalog.products.find( ( p ) => p.id === license.productId );
	const policy = catalog.policies.find( ( p ) => p.id === license.policy );
	return (
		<Screen title={ licenseeLabel( license ) } actions={ back }>
			<p>
				<StatusBadge status={ license.status } />{ ' ' }
				<span className="batchkeys-muted">{ product?.name ?? license.product }</span>
			</p>
			<div className="batchkeys-detail">
				<div className="batchkeys-detail__main">
					<LicenseSummary
						license={ license }
						product={ product }
						policy={ policy }
						update={ detail.update }
						pending={ pending }
					/>
					<ActivationsCard
						license={ license }
						activations={ activations }
						deactivate={ detail.deactivate }
						pending={ pending }
					/>
					<RecentRequestsCard licenseId={ license.id } />
				</div>
				<div className="batchkeys-detail__side">
					<StatusActions license={ license } act={ detail.act } pending={ pending } />
					<TokensCard license={ license } act={ detail.act } pending={ pending } />
					<RevealKeyCard licenseId={ license.id } />
				</div>
			</div>
		</Screen>
	);
}
