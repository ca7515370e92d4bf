export { sendFlow as controller } from '../send/send-flow.js';
