<?php
// LeadFWD for Sugar: one campaign's report (#Home/layout/leadfwd-campaign-report?campaign=<id>), opened from the
// dashlet. A first version of the page; issue 13 part 2 builds the full report here.

$viewdefs['base']['layout']['leadfwd-campaign-report'] = array(
    'components' => array(
        array('view' => 'leadfwd-page'),
    ),
);
