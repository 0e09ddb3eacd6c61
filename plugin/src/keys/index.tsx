import { mount } from '../shared/mount';
import { KeysApp } from './components/KeysApp';
import { routeFromSearch } from './route';
import '../shared/dataviews.css';

mount(
	'batchkeys-keys-root',
	<KeysApp route={ routeFromSearch( window.location.search ) } />
);
