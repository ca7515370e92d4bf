<?php
// LeadFWD for Sugar: the "Send via LeadFWD" button on the record view of $leadfwdModule, placed before the actions
// menu. Required (not require_once) by each module's custom/Extension/modules/<M>/Ext/clients/base/views/record/
// leadfwd_send.php, which Sugar copies into that module's record.ext.php: the code then runs where $viewdefs is, and
// again each time Sugar builds the view's metadata. The listener lives in
// custom/include/javascript/leadfwd/leadfwd-buttons.js, so no record.js is replaced. Where the module has no Sidecar
// record view (Campaigns is a legacy BWC module in Sugar 8 to 12) nothing is added.

if (isset($viewdefs[$leadfwdModule]['base']['view']['record']['buttons']) && is_array($viewdefs[$leadfwdModule]['base']['view']['record']['buttons'])) {
    $leadfwdButtons = $viewdefs[$leadfwdModule]['base']['view']['record']['buttons'];
    $leadfwdAt = count($leadfwdButtons);
    foreach ($leadfwdButtons as $leadfwdIndex => $leadfwdExisting) {
        if (isset($leadfwdExisting['name']) && $leadfwdExisting['name'] === 'leadfwd_send') {
            $leadfwdAt = -1;
            break;
        }
        if (isset($leadfwdExisting['name']) && $leadfwdExisting['name'] === 'main_dropdown') {
            $leadfwdAt = $leadfwdIndex;
        }
    }
    if ($leadfwdAt >= 0) {
        array_splice($viewdefs[$leadfwdModule]['base']['view']['record']['buttons'], $leadfwdAt, 0, array(array(
            'name' => 'leadfwd_send',
            'type' => 'button',
            'label' => 'LBL_LEADFWD_SEND',
            'css_class' => 'btn',
            'showOn' => 'view',
            'acl_module' => $leadfwdModule,
            'acl_action' => 'view',
            'events' => array('click' => 'button:leadfwd_send:click'),
        )));
    }
}
