<?php
// LeadFWD for Sugar: Module Loader manifest. `npm run package` writes the version and date from package.json
// into the copy inside the zip and checks that `copy` below lists exactly the files under sugar-module/.
// Every file is copied (never a whole folder), so uninstalling removes exactly what was installed.
// The Campaign detail-view button is added by a script, so no customer detailviewdefs.php or record.js is replaced.
// scripts/rebuild_caches.php (in the zip, outside Files/, never copied) runs after install and after uninstall, so the
// button script is served, and stops, without a manual Quick Repair and Rebuild on Sugar 8.x.

$manifest = array(
    'key' => 'leadfwd',
    'name' => 'LeadFWD for Sugar',
    'description' => 'Send email campaigns through LeadFWD from inside Sugar: the LeadFWD area (campaigns, reports, automations), a dashlet, a "Send via LeadFWD" action, and settings in Administration.',
    'author' => 'LeadFWD',
    'version' => '0.1.0',
    'published_date' => '2026-01-01 00:00:00',
    'type' => 'module',
    'is_uninstallable' => true,
    'built_in_version' => '26.1.0',
    'acceptable_sugar_versions' => array(
        'exact_matches' => array(),
        // Sugar 8 to 15, then the year-based numbers 25.x, 26.x and later.
        'regex_matches' => array('^(8|9|1[0-5])\.', '^2[5-9]\.'),
    ),
);

$installdefs = array(
    'id' => 'leadfwd',
    'post_execute' => array('<basepath>/scripts/rebuild_caches.php'),
    'post_uninstall' => array('<basepath>/scripts/rebuild_caches.php'),
    // Fields the service reads and writes: the engagement score on people and their Accounts, and the time zone a
    // campaign may send at a local time in. Names end in _c so uninstalling finds and removes them (Module Loader's
    // custom_fields; stored in <table>_cstm).
    'custom_fields' => array(
        array('name' => 'leadfwd_score_c', 'label' => 'LBL_LEADFWD_SCORE', 'type' => 'int', 'module' => 'Contacts', 'help' => 'LeadFWD engagement score, 0 to 100 (written by LeadFWD)', 'comment' => 'LeadFWD engagement score', 'default_value' => '', 'max_size' => 11, 'require_option' => false, 'reportable' => true, 'audited' => false, 'importable' => 'false', 'duplicate_merge' => false, 'mass_update' => false),
        array('name' => 'leadfwd_score_c', 'label' => 'LBL_LEADFWD_SCORE', 'type' => 'int', 'module' => 'Leads', 'help' => 'LeadFWD engagement score, 0 to 100 (written by LeadFWD)', 'comment' => 'LeadFWD engagement score', 'default_value' => '', 'max_size' => 11, 'require_option' => false, 'reportable' => true, 'audited' => false, 'importable' => 'false', 'duplicate_merge' => false, 'mass_update' => false),
        array('name' => 'leadfwd_score_c', 'label' => 'LBL_LEADFWD_SCORE', 'type' => 'int', 'module' => 'Prospects', 'help' => 'LeadFWD engagement score, 0 to 100 (written by LeadFWD)', 'comment' => 'LeadFWD engagement score', 'default_value' => '', 'max_size' => 11, 'require_option' => false, 'reportable' => true, 'audited' => false, 'importable' => 'false', 'duplicate_merge' => false, 'mass_update' => false),
        array('name' => 'leadfwd_score_c', 'label' => 'LBL_LEADFWD_SCORE', 'type' => 'int', 'module' => 'Accounts', 'help' => 'LeadFWD engagement score, 0 to 100 (written by LeadFWD)', 'comment' => 'LeadFWD engagement score', 'default_value' => '', 'max_size' => 11, 'require_option' => false, 'reportable' => true, 'audited' => false, 'importable' => 'false', 'duplicate_merge' => false, 'mass_update' => false),
        array('name' => 'leadfwd_timezone_c', 'label' => 'LBL_LEADFWD_TIMEZONE', 'type' => 'varchar', 'module' => 'Contacts', 'help' => 'IANA time zone for LeadFWD local-time sending, e.g. Europe/Berlin', 'comment' => 'LeadFWD recipient time zone', 'default_value' => '', 'max_size' => 64, 'require_option' => false, 'reportable' => true, 'audited' => false, 'importable' => 'true', 'duplicate_merge' => false, 'mass_update' => false),
        array('name' => 'leadfwd_timezone_c', 'label' => 'LBL_LEADFWD_TIMEZONE', 'type' => 'varchar', 'module' => 'Leads', 'help' => 'IANA time zone for LeadFWD local-time sending, e.g. Europe/Berlin', 'comment' => 'LeadFWD recipient time zone', 'default_value' => '', 'max_size' => 64, 'require_option' => false, 'reportable' => true, 'audited' => false, 'importable' => 'true', 'duplicate_merge' => false, 'mass_update' => false),
        array('name' => 'leadfwd_timezone_c', 'label' => 'LBL_LEADFWD_TIMEZONE', 'type' => 'varchar', 'module' => 'Prospects', 'help' => 'IANA time zone for LeadFWD local-time sending, e.g. Europe/Berlin', 'comment' => 'LeadFWD recipient time zone', 'default_value' => '', 'max_size' => 64, 'require_option' => false, 'reportable' => true, 'audited' => false, 'importable' => 'true', 'duplicate_merge' => false, 'mass_update' => false),
    ),
    'copy' => array(
        array('from' => '<basepath>/Files/custom/clients/base/api/LeadfwdConfigApi.php', 'to' => 'custom/clients/base/api/LeadfwdConfigApi.php'),
        array('from' => '<basepath>/Files/custom/clients/base/api/LeadfwdRelayApi.php', 'to' => 'custom/clients/base/api/LeadfwdRelayApi.php'),
        array('from' => '<basepath>/Files/custom/clients/base/layouts/leadfwd-automation/leadfwd-automation.php', 'to' => 'custom/clients/base/layouts/leadfwd-automation/leadfwd-automation.php'),
        array('from' => '<basepath>/Files/custom/clients/base/layouts/leadfwd-automations/leadfwd-automations.php', 'to' => 'custom/clients/base/layouts/leadfwd-automations/leadfwd-automations.php'),
        array('from' => '<basepath>/Files/custom/clients/base/layouts/leadfwd-campaign-report/leadfwd-campaign-report.php', 'to' => 'custom/clients/base/layouts/leadfwd-campaign-report/leadfwd-campaign-report.php'),
        array('from' => '<basepath>/Files/custom/clients/base/layouts/leadfwd-campaigns/leadfwd-campaigns.php', 'to' => 'custom/clients/base/layouts/leadfwd-campaigns/leadfwd-campaigns.php'),
        array('from' => '<basepath>/Files/custom/clients/base/layouts/leadfwd-config/leadfwd-config.php', 'to' => 'custom/clients/base/layouts/leadfwd-config/leadfwd-config.php'),
        array('from' => '<basepath>/Files/custom/clients/base/layouts/leadfwd-deliverability/leadfwd-deliverability.php', 'to' => 'custom/clients/base/layouts/leadfwd-deliverability/leadfwd-deliverability.php'),
        array('from' => '<basepath>/Files/custom/clients/base/layouts/leadfwd-send/leadfwd-send.php', 'to' => 'custom/clients/base/layouts/leadfwd-send/leadfwd-send.php'),
        array('from' => '<basepath>/Files/custom/clients/base/views/leadfwd-campaigns/leadfwd-campaigns.hbs', 'to' => 'custom/clients/base/views/leadfwd-campaigns/leadfwd-campaigns.hbs'),
        array('from' => '<basepath>/Files/custom/clients/base/views/leadfwd-campaigns/leadfwd-campaigns.js', 'to' => 'custom/clients/base/views/leadfwd-campaigns/leadfwd-campaigns.js'),
        array('from' => '<basepath>/Files/custom/clients/base/views/leadfwd-campaigns/leadfwd-campaigns.php', 'to' => 'custom/clients/base/views/leadfwd-campaigns/leadfwd-campaigns.php'),
        array('from' => '<basepath>/Files/custom/clients/base/views/leadfwd-config/leadfwd-config.hbs', 'to' => 'custom/clients/base/views/leadfwd-config/leadfwd-config.hbs'),
        array('from' => '<basepath>/Files/custom/clients/base/views/leadfwd-config/leadfwd-config.js', 'to' => 'custom/clients/base/views/leadfwd-config/leadfwd-config.js'),
        array('from' => '<basepath>/Files/custom/clients/base/views/leadfwd-config/leadfwd-config.php', 'to' => 'custom/clients/base/views/leadfwd-config/leadfwd-config.php'),
        array('from' => '<basepath>/Files/custom/clients/base/views/leadfwd-deliverability/leadfwd-deliverability.hbs', 'to' => 'custom/clients/base/views/leadfwd-deliverability/leadfwd-deliverability.hbs'),
        array('from' => '<basepath>/Files/custom/clients/base/views/leadfwd-deliverability/leadfwd-deliverability.js', 'to' => 'custom/clients/base/views/leadfwd-deliverability/leadfwd-deliverability.js'),
        array('from' => '<basepath>/Files/custom/clients/base/views/leadfwd-deliverability/leadfwd-deliverability.php', 'to' => 'custom/clients/base/views/leadfwd-deliverability/leadfwd-deliverability.php'),
        array('from' => '<basepath>/Files/custom/clients/base/views/leadfwd-page/leadfwd-page.hbs', 'to' => 'custom/clients/base/views/leadfwd-page/leadfwd-page.hbs'),
        array('from' => '<basepath>/Files/custom/clients/base/views/leadfwd-page/leadfwd-page.js', 'to' => 'custom/clients/base/views/leadfwd-page/leadfwd-page.js'),
        array('from' => '<basepath>/Files/custom/clients/base/views/leadfwd-page/leadfwd-page.php', 'to' => 'custom/clients/base/views/leadfwd-page/leadfwd-page.php'),
        array('from' => '<basepath>/Files/custom/clients/base/views/leadfwd-send/leadfwd-send.hbs', 'to' => 'custom/clients/base/views/leadfwd-send/leadfwd-send.hbs'),
        array('from' => '<basepath>/Files/custom/clients/base/views/leadfwd-send/leadfwd-send.js', 'to' => 'custom/clients/base/views/leadfwd-send/leadfwd-send.js'),
        array('from' => '<basepath>/Files/custom/clients/base/views/leadfwd-send/leadfwd-send.php', 'to' => 'custom/clients/base/views/leadfwd-send/leadfwd-send.php'),
        array('from' => '<basepath>/Files/custom/Extension/application/Ext/JSGroupings/leadfwd.php', 'to' => 'custom/Extension/application/Ext/JSGroupings/leadfwd.php'),
        array('from' => '<basepath>/Files/custom/Extension/application/Ext/Language/en_us.leadfwd.php', 'to' => 'custom/Extension/application/Ext/Language/en_us.leadfwd.php'),
        array('from' => '<basepath>/Files/custom/Extension/application/Ext/Platforms/leadfwd.php', 'to' => 'custom/Extension/application/Ext/Platforms/leadfwd.php'),
        array('from' => '<basepath>/Files/custom/Extension/modules/Administration/Ext/Administration/leadfwd.php', 'to' => 'custom/Extension/modules/Administration/Ext/Administration/leadfwd.php'),
        array('from' => '<basepath>/Files/custom/Extension/modules/Administration/Ext/Language/en_us.leadfwd.php', 'to' => 'custom/Extension/modules/Administration/Ext/Language/en_us.leadfwd.php'),
        array('from' => '<basepath>/Files/custom/Extension/modules/Campaigns/Ext/clients/base/menus/header/leadfwd.php', 'to' => 'custom/Extension/modules/Campaigns/Ext/clients/base/menus/header/leadfwd.php'),
        array('from' => '<basepath>/Files/custom/Extension/modules/Campaigns/Ext/clients/base/views/record/leadfwd_send.php', 'to' => 'custom/Extension/modules/Campaigns/Ext/clients/base/views/record/leadfwd_send.php'),
        array('from' => '<basepath>/Files/custom/Extension/modules/ProspectLists/Ext/clients/base/views/record/leadfwd_send.php', 'to' => 'custom/Extension/modules/ProspectLists/Ext/clients/base/views/record/leadfwd_send.php'),
        array('from' => '<basepath>/Files/custom/include/javascript/leadfwd/leadfwd-buttons.js', 'to' => 'custom/include/javascript/leadfwd/leadfwd-buttons.js'),
        array('from' => '<basepath>/Files/custom/include/leadfwd/LeadfwdServiceClient.php', 'to' => 'custom/include/leadfwd/LeadfwdServiceClient.php'),
        array('from' => '<basepath>/Files/custom/include/leadfwd/record-send-button.php', 'to' => 'custom/include/leadfwd/record-send-button.php'),
    ),
);
