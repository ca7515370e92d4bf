<?php
// LeadFWD for Sugar: a "LeadFWD" section in Administration that opens the settings page.
// The link navigates the PARENT app to Home/layout/leadfwd-config. In Sugar 8.x Administration is a legacy (BWC) page
// shown in an iframe, so the link runs there and `parent` is the app; and #Administration/layout/<x> would be
// redirected by bwcRedirect to a legacy URL that does not exist. Home is a Sidecar module in every version, and the
// generic :module/layout/:layout route shows our layout. In 12+ the Sidecar admin page runs the link in the app
// itself, where parent === window. Sugar's own admin links use the same form (e.g. Forecasts/config).

$admin_option_defs = array();
$admin_option_defs['Administration']['leadfwd_settings'] = array(
    'Administration',
    'LBL_LEADFWD_ADMIN_SETTINGS',
    'LBL_LEADFWD_ADMIN_SETTINGS_DESC',
    'javascript:void(parent.SUGAR.App.router.navigate("Home/layout/leadfwd-config", {trigger: true}));',
);
$admin_group_header[] = array(
    'LBL_LEADFWD_ADMIN_SECTION',
    '',
    false,
    $admin_option_defs,
    'LBL_LEADFWD_ADMIN_SECTION_DESC',
);
