<?php
// LeadFWD for Sugar: a "Send via LeadFWD" button on the Campaigns record view (how and where: the shared file).
// The path is from Sugar's root, where Sugar runs; the file is shipped in the package (manifest.php's copy list).

$leadfwdModule = 'Campaigns';
require 'custom/include/leadfwd/record-send-button.php';
