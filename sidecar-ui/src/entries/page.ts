export { leadfwdPage as controller } from '../pages/page.js';
