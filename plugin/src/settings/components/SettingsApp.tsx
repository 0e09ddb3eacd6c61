import { __ } from '@wordpress/i18n';
import { ErrorState } from '../../shared/components/ErrorState';
import { Loading } from '../../shared/components/Loading';
import { Screen } from '../../shared/components/Screen';
import { useSettings } from '../use-settings';
import { SettingsForm } from './SettingsForm';

export function SettingsApp() {
	const s = useSettings();
	let body;
	if ( s.settings ) {
		body = (
			<SettingsForm
				settings={ s.settings }
				isSaving={ s.isSaving }
				save={ s.save }
				isTesting={ s.isTesting }
				test={ s.test }
				testConnection={ s.testConnection }
			/>
		);
	} else if ( s.loadError ) {
		body = <ErrorState message={ s.loadError.message } onRetry={ () => void s.reload() } />;
	} else {
		body = <Loading label={ __( 'Loading settings…', 'batchkeys' ) } />;
	}
	return (
		<Screen title={ __( 'BatchKeys settings', 'batchkeys' ) }>
			<div className="batchkeys-settings">{ body }</div>
		</Screen>
	);
}
