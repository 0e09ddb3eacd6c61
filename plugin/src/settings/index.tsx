import { mount } from '../shared/mount';
import { SettingsApp } from './components/SettingsApp';

mount( 'batchkeys-settings-root', <SettingsApp /> );
