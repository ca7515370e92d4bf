<?php
// LeadFWD for Sugar: the LeadFWD area's campaign list (#Home/layout/leadfwd-campaigns), opened from the dashlet.
// A first version of the page; issue 13 part 2 builds the searchable, filterable list here.

$viewdefs['base']['layout']['leadfwd-campaigns'] = array(
    'components' => array(
        array('view' => 'leadfwd-page'),
    ),
);
