export { campaignsDashlet as controller } from '../dashlet/campaigns-dashlet.js';
