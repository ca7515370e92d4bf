export { configView as controller } from '../admin/config-view.js';
