<?php
// LeadFWD for Sugar: the drawer opened by "Send via LeadFWD" (dashlet, record view and legacy detail view).

$viewdefs['base']['layout']['leadfwd-send'] = array(
    'components' => array(
        array('view' => 'leadfwd-send'),
    ),
);
