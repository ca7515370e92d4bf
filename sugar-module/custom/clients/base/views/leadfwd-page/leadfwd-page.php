<?php
// LeadFWD for Sugar: the LeadFWD area's pages (campaigns, a campaign's report, automations, the automation builder).
// One view behind every layout of the area; it reads from the route which page it shows.

$viewdefs['base']['view']['leadfwd-page'] = array(
    'template' => 'leadfwd-page',
);
