import { mount } from '../shared/mount';
import { PrivacyApp } from './components/PrivacyApp';
import './privacy.css';

mount( 'batchkeys-privacy-root', <PrivacyApp /> );
