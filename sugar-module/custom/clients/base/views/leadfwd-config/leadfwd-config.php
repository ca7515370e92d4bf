<?php
// LeadFWD for Sugar: the settings form reached from Administration.

$viewdefs['base']['view']['leadfwd-config'] = array(
    'template' => 'leadfwd-config',
);
