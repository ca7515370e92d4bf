<?php
// LeadFWD for Sugar: labels of the Administration panel entry.

$mod_strings['LBL_LEADFWD_ADMIN_SECTION'] = 'LeadFWD';
$mod_strings['LBL_LEADFWD_ADMIN_SECTION_DESC'] = 'Email campaigns sent by LeadFWD, with their results written into Sugar.';
$mod_strings['LBL_LEADFWD_ADMIN_SETTINGS'] = 'LeadFWD settings';
$mod_strings['LBL_LEADFWD_ADMIN_SETTINGS_DESC'] = 'Service address, pairing with the service, and opt-out handling.';
