<?php
// LeadFWD for Sugar: a "LeadFWD" section in Administration that opens the settings page.

$admin_option_defs = array();
$admin_option_defs['Administration']['leadfwd_settings'] = array(
    'Administration',
    'LBL_LEADFWD_ADMIN_SETTINGS',
    'LBL_LEADFWD_ADMIN_SETTINGS_DESC',
    'javascript:void(parent.SUGAR.App.router.navigate("Administration/layout/leadfwd-config", {trigger: true}));',
);
$admin_group_header[] = array(
    'LBL_LEADFWD_ADMIN_SECTION',
    '',
    false,
    $admin_option_defs,
    'LBL_LEADFWD_ADMIN_SECTION_DESC',
);
