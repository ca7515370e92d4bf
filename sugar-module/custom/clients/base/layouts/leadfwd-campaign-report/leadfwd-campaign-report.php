<?php
// LeadFWD for Sugar: one campaign's report (#Home/layout/leadfwd-campaign-report?campaign=<id>), opened from the
// campaign list and the dashlet.

$viewdefs['base']['layout']['leadfwd-campaign-report'] = array(
    'components' => array(
        array('view' => 'leadfwd-page'),
    ),
);
