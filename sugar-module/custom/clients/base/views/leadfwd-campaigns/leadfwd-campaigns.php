<?php
// LeadFWD for Sugar: the "LeadFWD Campaigns" dashlet, offered on the Home dashboard and on ProspectLists and
// Campaigns record dashboards (Campaigns only where it is a Sidecar module).

$viewdefs['base']['view']['leadfwd-campaigns'] = array(
    'dashlets' => array(
        array(
            'label' => 'LBL_LEADFWD_DASHLET_TITLE',
            'description' => 'LBL_LEADFWD_DASHLET_DESC',
            'config' => array(
                'limit' => '5',
                'refresh_seconds' => '10',
            ),
            'preview' => array(
                'limit' => '3',
                'refresh_seconds' => '0',
            ),
            'filter' => array(
                'module' => array('Home', 'ProspectLists', 'Campaigns'),
            ),
        ),
    ),
    'panels' => array(
        array(
            'name' => 'panel_body',
            'columns' => 2,
            'labelsOnTop' => true,
            'placeholders' => true,
            'fields' => array(
                array(
                    'name' => 'limit',
                    'label' => 'LBL_LEADFWD_CONFIG_LIMIT',
                    'type' => 'enum',
                    'options' => array('3' => '3', '5' => '5', '10' => '10', '20' => '20'),
                ),
                array(
                    'name' => 'refresh_seconds',
                    'label' => 'LBL_LEADFWD_CONFIG_REFRESH',
                    'type' => 'enum',
                    'options' => array('0' => '0', '5' => '5', '10' => '10', '30' => '30', '60' => '60'),
                ),
            ),
        ),
    ),
);
