import { mount } from '../shared/mount';
import { ProductsApp } from './components/ProductsApp';
import '../shared/dataviews.css';

mount( 'batchkeys-products-root', <ProductsApp /> );
