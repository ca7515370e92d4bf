<?php
// LeadFWD for Sugar: adds the script behind the "Send via LeadFWD" buttons (record views and the legacy
// Campaign detail view) to the group Sugar's main page loads.

foreach ($js_groupings as $leadfwdGroup => $leadfwdFiles) {
    foreach ($leadfwdFiles as $leadfwdSource => $leadfwdTarget) {
        if ($leadfwdTarget === 'include/javascript/sugar_grp7.min.js') {
            $js_groupings[$leadfwdGroup]['custom/include/javascript/leadfwd/leadfwd-buttons.js'] = 'include/javascript/sugar_grp7.min.js';
        }
        break;
    }
}
