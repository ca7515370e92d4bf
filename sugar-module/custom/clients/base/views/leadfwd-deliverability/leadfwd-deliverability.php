<?php
// LeadFWD for Sugar: the deliverability page (per sender identity and mailbox provider; administrators only).

$viewdefs['base']['view']['leadfwd-deliverability'] = array(
    'template' => 'leadfwd-deliverability',
);
