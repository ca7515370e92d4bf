import { install } from '../global/buttons.js';

install();
