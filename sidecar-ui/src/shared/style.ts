// One stylesheet for every LeadFWD component, added to the page once: no theme file is overwritten.
import { injectStyle } from './dom.js';

const CSS = `
.leadfwd { font-size: 13px; line-height: 1.45; color: #1f2933; }
.leadfwd :focus-visible, .leadfwd-bwc-send:focus-visible { outline: 3px solid #0b63c5 !important; outline-offset: 2px; }
.leadfwd button:focus, .leadfwd input:focus, .leadfwd select:focus, .leadfwd textarea:focus, .leadfwd a:focus, .leadfwd summary:focus { outline: 3px solid #0b63c5; outline-offset: 2px; }
.leadfwd [hidden] { display: none !important; }
.leadfwd .leadfwd-toolbar { display: flex; gap: 8px; margin-bottom: 8px; flex-wrap: wrap; align-items: center; }
.leadfwd .leadfwd-title { margin: 0; font-size: 18px; flex: 1; }
.leadfwd .leadfwd-message:empty, .leadfwd .leadfwd-status:empty { display: none; }
.leadfwd .leadfwd-message { background: #fdecea; border: 1px solid #d93025; padding: 6px 8px; margin-bottom: 8px; border-radius: 3px; }
.leadfwd .leadfwd-status { color: #52606d; font-size: 12px; margin-bottom: 6px; }
.leadfwd .leadfwd-campaign-list { list-style: none; margin: 0; padding: 0; }
.leadfwd .leadfwd-campaign { border: 1px solid #d9e2ec; border-radius: 4px; padding: 8px 10px; margin-bottom: 8px; }
.leadfwd .leadfwd-campaign-head { display: flex; justify-content: space-between; gap: 8px; align-items: baseline; }
.leadfwd .leadfwd-badge { font-size: 11px; padding: 1px 6px; border-radius: 8px; background: #e4e7eb; white-space: nowrap; }
.leadfwd .leadfwd-badge-sending, .leadfwd .leadfwd-badge-extracting { background: #d5e8fb; }
.leadfwd .leadfwd-badge-sent { background: #d7f2dc; }
.leadfwd .leadfwd-badge-active { background: #d5e8fb; }
.leadfwd .leadfwd-badge-stopped { background: #e4e7eb; }
.leadfwd .leadfwd-automations-title { font-size: 14px; margin: 12px 0 6px; }
.leadfwd .leadfwd-automations-message:empty { display: none; }
.leadfwd .leadfwd-automations-message { background: #fdecea; border: 1px solid #d93025; padding: 6px 8px; margin-bottom: 8px; border-radius: 3px; }
.leadfwd .leadfwd-automation-list { list-style: none; margin: 0; padding: 0; }
.leadfwd .leadfwd-automation { border: 1px solid #d9e2ec; border-radius: 4px; padding: 8px 10px; margin-bottom: 8px; }
.leadfwd .leadfwd-steps { width: 100%; border-collapse: collapse; margin-top: 4px; font-size: 12px; }
.leadfwd .leadfwd-steps caption { text-align: left; color: #52606d; }
.leadfwd .leadfwd-steps th, .leadfwd .leadfwd-steps td { padding: 2px 4px; border-top: 1px solid #e4e7eb; text-align: right; }
.leadfwd .leadfwd-steps .leadfwd-step-name, .leadfwd .leadfwd-steps thead th:first-child { text-align: left; font-weight: normal; }
.leadfwd .leadfwd-badge-failed, .leadfwd .leadfwd-badge-cancelled { background: #fde2e1; }
.leadfwd .leadfwd-badge-paused { background: #fff1c2; }
.leadfwd .leadfwd-progress { height: 8px; background: #e4e7eb; border-radius: 4px; overflow: hidden; margin: 6px 0 2px; }
.leadfwd .leadfwd-progress-bar { height: 100%; background: #0b63c5; }
.leadfwd .leadfwd-line { margin: 2px 0; color: #3e4c59; }
.leadfwd .leadfwd-results { display: grid; grid-template-columns: auto auto; gap: 0 12px; margin: 6px 0; }
.leadfwd .leadfwd-results dt { font-weight: normal; color: #52606d; }
.leadfwd .leadfwd-results dd { margin: 0; font-weight: 600; }
.leadfwd .leadfwd-chart { display: block; max-width: 100%; }
.leadfwd .leadfwd-actions { display: flex; gap: 6px; margin-top: 6px; }
.leadfwd-send { padding: 12px 16px; max-width: 980px; }
.leadfwd-send fieldset { border: 1px solid #d9e2ec; border-radius: 4px; padding: 8px 12px 12px; margin: 0 0 12px; }
.leadfwd-send legend { font-weight: 600; padding: 0 4px; width: auto; border: 0; margin: 0; font-size: 14px; }
.leadfwd-send .leadfwd-row { display: flex; flex-direction: column; margin: 6px 0; }
.leadfwd-send .leadfwd-row label { font-weight: 600; margin-bottom: 2px; }
.leadfwd-send .leadfwd-row input[type=text], .leadfwd-send .leadfwd-row input[type=email], .leadfwd-send .leadfwd-row input[type=datetime-local], .leadfwd-send .leadfwd-row select, .leadfwd-send textarea { max-width: 640px; width: 100%; box-sizing: border-box; padding: 4px 6px; }
.leadfwd-send textarea { font-family: monospace; min-height: 180px; }
.leadfwd-send .leadfwd-choice { display: flex; gap: 6px; align-items: center; margin: 3px 0; }
.leadfwd-send .leadfwd-choice input { margin: 0; }
.leadfwd-send .leadfwd-checklist { list-style: none; padding: 0; margin: 4px 0; }
.leadfwd-send .leadfwd-hint { color: #52606d; margin: 2px 0 6px; }
.leadfwd-send .leadfwd-field-error { color: #b3261e; font-weight: 600; }
.leadfwd-send [aria-invalid=true] { border-color: #b3261e !important; box-shadow: 0 0 0 1px #b3261e; }
.leadfwd-send .leadfwd-error-summary { border: 2px solid #b3261e; background: #fdecea; padding: 8px 12px; margin-bottom: 12px; border-radius: 4px; }
.leadfwd-send .leadfwd-error-summary ul { margin: 4px 0 0 18px; }
.leadfwd-send .leadfwd-buttons { display: flex; gap: 8px; flex-wrap: wrap; margin-top: 8px; }
.leadfwd-send .leadfwd-preview iframe { width: 100%; max-width: 720px; height: 360px; border: 1px solid #d9e2ec; background: #fff; }
.leadfwd-send .leadfwd-audit-table td, .leadfwd-send .leadfwd-audit-table th { padding: 2px 10px 2px 0; text-align: left; }
.leadfwd-send .leadfwd-notice { background: #eef5fc; border: 1px solid #9ec5ee; padding: 6px 10px; border-radius: 4px; }
.leadfwd-send .leadfwd-warning { background: #fff7e0; border: 1px solid #e6b800; padding: 6px 10px; border-radius: 4px; }
.leadfwd-send[aria-busy=true] { cursor: progress; }
`;

export const addStyles = () => injectStyle('leadfwd-style', CSS);
