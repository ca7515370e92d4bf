<?php
// LeadFWD for Sugar: the automation builder (#Home/layout/leadfwd-automation, ?automation=<id> to edit one).

$viewdefs['base']['layout']['leadfwd-automation'] = array(
    'components' => array(
        array('view' => 'leadfwd-page'),
    ),
);
