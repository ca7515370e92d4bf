<?php
// LeadFWD for Sugar: run by Module Loader after installing and after uninstalling the package (manifest.php
// post_execute, post_uninstall; included, never copied). Sugar 8.x's installer rebuilds the extensions but leaves the
// cached JavaScript groups (cache/include/javascript) alone, so without this the script behind the "Send via LeadFWD"
// buttons, added to sugar_grp7 by the JSGroupings extension, is not served after installing, and keeps running after
// uninstalling, until an administrator runs Quick Repair and Rebuild. These are the two repair actions that matter:
// rebuild the extensions, then clear the additional caches (JavaScript groups and the REST dictionary). Sugar 12's
// installer clears them itself; doing it twice is harmless.

if (!defined('sugarEntry') || !sugarEntry) {
    die('Not A Valid Entry Point');
}

require_once 'modules/Administration/QuickRepairAndRebuild.php';

$leadfwdRepair = new RepairAndClear();
$leadfwdRepair->repairAndClearAll(array('rebuildExtensions', 'clearAdditionalCaches'), array(translate('LBL_ALL_MODULES')), false, false);
