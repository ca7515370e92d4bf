<?php
// LeadFWD for Sugar: Administration, LeadFWD settings.

$viewdefs['base']['layout']['leadfwd-config'] = array(
    'components' => array(
        array('view' => 'leadfwd-config'),
    ),
);
