<?php
// LeadFWD for Sugar: the LeadFWD area's deliverability page (#Home/layout/leadfwd-deliverability): accepted, deferred,
// bounced and complained per sender identity, mailbox provider and day, and the providers that slowed or paused it.

$viewdefs['base']['layout']['leadfwd-deliverability'] = array(
    'components' => array(
        array('view' => 'leadfwd-deliverability'),
    ),
);
