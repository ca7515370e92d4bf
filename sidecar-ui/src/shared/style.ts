// Layout for every LeadFWD component, added to the page once. Colours are Sugar's: the components use Sugar's own
// classes (btn, btn-primary, alert alert-*, label label-*, table, help-block, progress/bar, control-group error) and
// inherit the theme's text colour, so a customer's theme and Sugar's dark appearance (body.sugar-dark-theme) apply.
// This sheet sets no colour of its own: lines and tints are the current text colour at a low strength.
import { injectStyle } from './dom.js';

const line = 'color-mix(in srgb, currentColor 22%, transparent)';
const tint = 'color-mix(in srgb, currentColor 6%, transparent)';

const CSS = `
.leadfwd { line-height: 1.45; }
.leadfwd [hidden] { display: none !important; }
.leadfwd :focus-visible, .leadfwd-bwc-send:focus-visible { outline: 3px solid currentColor; outline-offset: 2px; }
.leadfwd input:focus, .leadfwd select:focus, .leadfwd textarea:focus, .leadfwd iframe:focus, .leadfwd summary:focus { outline: 3px solid currentColor; outline-offset: 2px; }
.leadfwd .leadfwd-sr-only { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.leadfwd .leadfwd-toolbar { display: flex; gap: 8px; margin-bottom: 8px; flex-wrap: wrap; align-items: center; }
.leadfwd .leadfwd-title { margin: 0; font-size: 18px; flex: 1; }
.leadfwd .leadfwd-status:empty { display: none; }
.leadfwd .leadfwd-buttons { display: flex; gap: 8px; flex-wrap: wrap; margin-top: 10px; align-items: center; }
.leadfwd .leadfwd-summary { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 6px 0; }
.leadfwd .leadfwd-summary dt { font-weight: 600; }
.leadfwd .leadfwd-summary dd { margin: 0; overflow-wrap: anywhere; }
.leadfwd .leadfwd-fieldset { border: 1px solid ${line}; border-radius: 4px; padding: 6px 12px 10px; margin: 0 0 12px; }
.leadfwd .leadfwd-fieldset legend { font-weight: 600; padding: 0 4px; width: auto; border: 0; margin: 0; font-size: 14px; }
.leadfwd .leadfwd-choice { display: flex; gap: 6px; align-items: center; margin: 3px 0; }
.leadfwd .leadfwd-choice input { margin: 0; }
.leadfwd .leadfwd-checklist { list-style: none; padding: 0; margin: 4px 0; }
.leadfwd .leadfwd-field-error:empty { display: none; }
.leadfwd .leadfwd-field-error { font-weight: 600; margin: 2px 0; }
.leadfwd .leadfwd-details { margin: 2px 0 0 18px; font-weight: normal; }
.leadfwd .control-group { margin: 8px 0; }
.leadfwd .control-label { display: block; font-weight: 600; }

.leadfwd-send { padding: 12px 16px; max-width: 980px; }
.leadfwd-send[aria-busy=true] { cursor: progress; }
.leadfwd-send input[type=text], .leadfwd-send input[type=email], .leadfwd-send input[type=datetime-local], .leadfwd-send select, .leadfwd-send textarea { max-width: 640px; width: 100%; box-sizing: border-box; }
.leadfwd-send textarea { font-family: ui-monospace, monospace; min-height: 200px; }
.leadfwd-send .leadfwd-stepper ol { display: flex; flex-wrap: wrap; gap: 4px; list-style: none; margin: 0 0 10px; padding: 0; border-bottom: 1px solid ${line}; }
.leadfwd-send .leadfwd-step-tab { border-radius: 4px 4px 0 0; border-bottom: 3px solid transparent; text-decoration: none; padding: 4px 10px; }
.leadfwd-send .leadfwd-step-tab[aria-current=step] { border-bottom-color: currentColor; font-weight: 700; }
.leadfwd-send .leadfwd-step-number { display: inline-block; min-width: 1.5em; border: 1px solid currentColor; border-radius: 50%; text-align: center; font-size: 11px; line-height: 1.5em; margin-right: 4px; }
.leadfwd-send .leadfwd-step-done .leadfwd-step-number { background: ${tint}; }
.leadfwd-send .leadfwd-step h3 { font-size: 16px; margin: 4px 0 8px; }
.leadfwd-send fieldset[data-field=format] .leadfwd-choice { display: inline-flex; margin-right: 16px; }
.leadfwd-send .leadfwd-insert-row { display: flex; gap: 10px; flex-wrap: wrap; align-items: flex-end; }
.leadfwd-send .leadfwd-insert-row .control-group { margin: 0; min-width: 180px; }
.leadfwd-send .leadfwd-insert-row button { margin-bottom: 1px; }
.leadfwd-send .leadfwd-preview-panel { border: 1px solid ${line}; border-radius: 4px; padding: 8px 10px; margin-top: 8px; }
.leadfwd-send .leadfwd-preview-viewport { margin: 8px 0; border: 1px solid ${line}; resize: vertical; overflow: hidden; height: 380px; }
.leadfwd-send .leadfwd-preview-desktop { width: 100%; max-width: 720px; }
.leadfwd-send .leadfwd-preview-mobile { width: 375px; max-width: 100%; }
.leadfwd-send .leadfwd-preview-frame { width: 100%; height: 100%; border: 0; background: Canvas; color-scheme: light; }
.leadfwd-send .leadfwd-preview-text-body { white-space: pre-wrap; max-height: 240px; overflow: auto; border: 1px solid ${line}; padding: 6px; }
.leadfwd-send .leadfwd-audit-table { width: auto; min-width: 320px; }
.leadfwd-send .leadfwd-audit-table caption, .leadfwd-send .leadfwd-schedule-table caption { text-align: left; }
.leadfwd-send .leadfwd-schedule-table { width: auto; min-width: 320px; }

.leadfwd-dashlet .leadfwd-campaign-list, .leadfwd-dashlet .leadfwd-automation-list { list-style: none; margin: 0; padding: 0; }
.leadfwd-dashlet .leadfwd-campaign, .leadfwd-dashlet .leadfwd-automation { border-top: 1px solid ${line}; padding: 6px 0; }
.leadfwd-dashlet .leadfwd-row-head { display: flex; justify-content: space-between; gap: 8px; align-items: baseline; }
.leadfwd-dashlet .leadfwd-row-head a { font-weight: 600; }
.leadfwd-dashlet .leadfwd-line { margin: 2px 0; }
.leadfwd-dashlet .leadfwd-figures { display: flex; flex-wrap: wrap; gap: 2px 14px; margin: 4px 0 0; padding: 0; list-style: none; }
.leadfwd-dashlet .leadfwd-figures strong { font-size: 14px; }
.leadfwd-dashlet .progress { margin: 4px 0 2px; }
.leadfwd-dashlet .leadfwd-actions { display: flex; gap: 6px; margin-top: 4px; flex-wrap: wrap; }
.leadfwd-dashlet .leadfwd-section-title { font-size: 13px; margin: 10px 0 4px; text-transform: none; }
.leadfwd-dashlet .leadfwd-more { margin-top: 6px; }
.leadfwd .leadfwd-chart { position: relative; margin: 4px 0; }
.leadfwd .leadfwd-chart canvas { display: block; }
.leadfwd .leadfwd-chart .u-wrap { position: relative; }
.leadfwd .leadfwd-chart .u-over, .leadfwd .leadfwd-chart .u-under { position: absolute; }
.leadfwd .leadfwd-chart .u-legend { display: none; }
.leadfwd .leadfwd-chart-legend { display: flex; gap: 12px; margin: 0; padding: 0; list-style: none; font-size: 11px; }
.leadfwd .leadfwd-chart-key { display: inline-block; width: 10px; height: 3px; vertical-align: middle; margin-right: 4px; }

.leadfwd-area { max-width: 1180px; }
.leadfwd-area .leadfwd-area-nav .nav-tabs { display: flex; gap: 2px; list-style: none; margin: 0 0 10px; padding: 0; border-bottom: 1px solid ${line}; }
.leadfwd-area .leadfwd-area-nav .nav-tabs a { display: inline-block; padding: 6px 14px; border: 1px solid transparent; border-bottom: 0; border-radius: 4px 4px 0 0; text-decoration: none; }
.leadfwd-area .leadfwd-area-nav .nav-tabs .active a { border-color: ${line}; font-weight: 700; margin-bottom: -1px; background: inherit; }
.leadfwd-area .leadfwd-toolbar h1.leadfwd-title { font-size: 20px; }
.leadfwd-area .leadfwd-page-buttons { margin: 0; }
/* A failure stays in sight while the page scrolls: an action at the foot of a long report or builder fails visibly. */
.leadfwd-area .leadfwd-message.alert-danger { position: sticky; top: 0; z-index: 20; box-shadow: 0 2px 6px rgba(0,0,0,.2); }
.leadfwd-area .leadfwd-section-title { font-size: 15px; margin: 18px 0 6px; }
.leadfwd-area .leadfwd-num { text-align: right; white-space: nowrap; }
.leadfwd-area .leadfwd-subject { display: block; margin: 0; font-weight: normal; }
.leadfwd-area th[scope=row] { font-weight: 600; }
.leadfwd-deliverability .leadfwd-deliv-table caption { text-align: left; }
.leadfwd-deliverability .leadfwd-deliv-table thead th:nth-child(n+3) { text-align: right; }
.leadfwd-deliverability .leadfwd-deliv-words { font-style: italic; }
.leadfwd-area .leadfwd-filters { display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: flex-end; padding: 6px 10px; border: 1px solid ${line}; border-radius: 4px; }
.leadfwd-area .leadfwd-filters .control-group { margin: 4px 0; }
.leadfwd-area .leadfwd-filters input[type=search], .leadfwd-area .leadfwd-filters input[type=text] { width: 200px; }
.leadfwd-area .leadfwd-filter-buttons { margin: 4px 0; }
.leadfwd-area .leadfwd-pager { display: flex; gap: 8px; align-items: center; justify-content: flex-end; }
.leadfwd-area .leadfwd-group-list { list-style: none; padding: 0; margin: 0; }
.leadfwd-area .leadfwd-group { border-top: 1px solid ${line}; padding: 6px 0; }
.leadfwd-area .leadfwd-row-head { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
.leadfwd-area .leadfwd-row-head a { font-weight: 600; }
.leadfwd-area .leadfwd-report-head .progress { max-width: 520px; margin: 6px 0; }
.leadfwd-area .leadfwd-results-table { width: auto; min-width: 480px; }
.leadfwd-area .leadfwd-url { overflow-wrap: anywhere; }
.leadfwd-area .leadfwd-people .help-block { display: block; margin: 0; font-size: 11px; }
.leadfwd-area .leadfwd-decision-buttons { margin: 4px 0 10px; }
.leadfwd-area .leadfwd-history { margin: 14px 0; }
.leadfwd-area .leadfwd-history summary { cursor: pointer; font-weight: 600; }
.leadfwd-area .leadfwd-history-list { margin: 6px 0; padding-left: 20px; }
.leadfwd-area .leadfwd-role-note { margin: 6px 0; }

.leadfwd-builder input[type=text], .leadfwd-builder input[type=email], .leadfwd-builder select, .leadfwd-builder textarea { max-width: 560px; width: 100%; box-sizing: border-box; }
.leadfwd-builder input[type=number] { width: 90px; }
.leadfwd-builder input[type=time] { width: 110px; }
.leadfwd-builder textarea { font-family: ui-monospace, monospace; min-height: 110px; }
.leadfwd-builder .leadfwd-steps { list-style: none; margin: 0; padding: 0; }
.leadfwd-builder .leadfwd-node { border: 1px solid ${line}; border-left-width: 4px; border-radius: 4px; padding: 6px 12px 8px; margin: 0 0 6px; position: relative; }
.leadfwd-builder .leadfwd-steps > .leadfwd-node + .leadfwd-node::before { content: ''; position: absolute; left: 22px; top: -7px; height: 6px; border-left: 2px solid ${line}; }
.leadfwd-builder .leadfwd-node-wait, .leadfwd-builder .leadfwd-node-goto { background: ${tint}; }
.leadfwd-builder .leadfwd-node-head { display: flex; gap: 8px; align-items: baseline; justify-content: space-between; flex-wrap: wrap; }
.leadfwd-builder .leadfwd-node-title { font-size: 14px; margin: 2px 0; }
.leadfwd-builder .leadfwd-node-actions { display: flex; gap: 4px; }
.leadfwd-builder .leadfwd-node-figures { margin: 0 0 4px; }
.leadfwd-builder .leadfwd-sender-row, .leadfwd-builder .leadfwd-length-row { display: flex; flex-wrap: wrap; gap: 0 14px; }
.leadfwd-builder .leadfwd-sender-row .control-group { flex: 1 1 200px; }
.leadfwd-builder .leadfwd-format, .leadfwd-builder .leadfwd-weekdays { border: 0; padding: 0; margin: 6px 0; }
.leadfwd-builder .leadfwd-format legend, .leadfwd-builder .leadfwd-weekdays legend { font-weight: 600; font-size: inherit; border: 0; margin: 0; width: auto; }
.leadfwd-builder .leadfwd-format .leadfwd-choice, .leadfwd-builder .leadfwd-weekdays .leadfwd-choice { display: inline-flex; margin-right: 14px; }
.leadfwd-builder .leadfwd-branch { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; margin-top: 6px; }
.leadfwd-builder .leadfwd-branch-side { border-top: 2px solid ${line}; padding: 6px 0 0 10px; border-left: 2px solid ${line}; border-radius: 6px 0 0 0; min-width: 0; }
.leadfwd-builder .leadfwd-branch-side h4 { margin: 0 0 6px; font-size: 13px; }
.leadfwd-ab-variants { list-style: none; margin: 0 0 8px; padding: 0; display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 12px; }
.leadfwd-ab-variant { border-left: 2px solid ${line}; padding-left: 10px; }
.leadfwd-ab-variant h4 { margin: 0 0 6px; font-size: 13px; }
.leadfwd-ab-row { display: flex; flex-wrap: wrap; gap: 16px; margin-top: 8px; }
.leadfwd-builder .leadfwd-split[data-paths="3"] { grid-template-columns: 1fr 1fr 1fr; }
.leadfwd-builder .leadfwd-split[data-paths="4"] { grid-template-columns: 1fr 1fr 1fr 1fr; }
.leadfwd-builder .leadfwd-stream-contents { margin: 6px 0; padding-left: 18px; }
.leadfwd-builder .leadfwd-stream-content { border-top: 1px dashed ${line}; padding-top: 4px; }
.leadfwd-builder .leadfwd-stream-content h4 { margin: 4px 0; font-size: 13px; }
.leadfwd-builder .leadfwd-add-step { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin: 4px 0 10px; }
.leadfwd-builder .leadfwd-add-step select { width: auto; }
.leadfwd-builder .leadfwd-no-steps { padding: 4px 0; }
@media (max-width: 800px) { .leadfwd-builder .leadfwd-branch { grid-template-columns: 1fr; } }

.leadfwd-config { max-width: 760px; padding: 8px 0; }
.leadfwd-config input[type=text], .leadfwd-config select { max-width: 560px; width: 100%; box-sizing: border-box; }
.leadfwd-identities { max-width: 980px; padding: 8px 0; }
.leadfwd-identities .leadfwd-identity { border-top: 1px solid ${line}; padding: 8px 0; }
.leadfwd-identities .leadfwd-identity h3 { font-size: 16px; margin: 4px 0; }
.leadfwd-identities .leadfwd-identity-paused { font-weight: 600; }
.leadfwd-identities code { white-space: pre-wrap; overflow-wrap: anywhere; word-break: break-all; }
.leadfwd-identities .leadfwd-check { margin: 3px 0; }
.leadfwd-identities .leadfwd-check-fix { margin-left: 18px; }
.leadfwd-identities input[type=text], .leadfwd-identities input[type=password], .leadfwd-identities textarea { max-width: 560px; width: 100%; box-sizing: border-box; }
.leadfwd-identities textarea { font-family: ui-monospace, monospace; }
`;

export const addStyles = () => injectStyle('leadfwd-style', CSS);
