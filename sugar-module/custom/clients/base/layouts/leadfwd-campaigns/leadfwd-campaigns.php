<?php
// LeadFWD for Sugar: the LeadFWD area's campaign list (#Home/layout/leadfwd-campaigns): search, filters, key
// figures, automations' campaigns grouped apart. Opened from the Campaigns menu and the dashlet.

$viewdefs['base']['layout']['leadfwd-campaigns'] = array(
    'components' => array(
        array('view' => 'leadfwd-page'),
    ),
);
