<?php
// LeadFWD for Sugar: the first version of the LeadFWD area's pages (campaign list, campaign report).

$viewdefs['base']['view']['leadfwd-page'] = array(
    'template' => 'leadfwd-page',
);
