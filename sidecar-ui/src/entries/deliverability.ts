export { deliverabilityView as controller } from '../deliverability/deliverability-view.js';
