<?php
// LeadFWD for Sugar: a "LeadFWD" entry in the Campaigns module menu of Sugar's navigation bar, opening the LeadFWD
// area. Sugar 7+ draws every module's menu, a legacy (BWC) module's such as Campaigns in 8–12 included, from this
// Sidecar metadata; the area is a layout under Home, so the route works wherever Campaigns is legacy.

$viewdefs['Campaigns']['base']['menu']['header'][] = array(
    'route' => '#Home/layout/leadfwd-campaigns',
    'label' => 'LBL_LEADFWD_AREA_MENU',
    'acl_action' => 'list',
    'acl_module' => 'Campaigns',
    'icon' => 'fa-paper-plane',
);
$viewdefs['Campaigns']['base']['menu']['header'][] = array(
    'route' => '#Home/layout/leadfwd-automations',
    'label' => 'LBL_LEADFWD_AREA_MENU_AUTOMATIONS',
    'acl_action' => 'list',
    'acl_module' => 'Campaigns',
    'icon' => 'fa-random',
);
