<?php
// LeadFWD for Sugar: the LeadFWD area's automations (#Home/layout/leadfwd-automations).

$viewdefs['base']['layout']['leadfwd-automations'] = array(
    'components' => array(
        array('view' => 'leadfwd-page'),
    ),
);
