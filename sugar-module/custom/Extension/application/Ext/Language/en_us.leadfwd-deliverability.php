<?php
// LeadFWD for Sugar: labels of the deliverability page of the LeadFWD area (issue 16).
// Placeholders in {{double braces}} are filled by the LeadFWD UI.

$app_strings['LBL_LEADFWD_DELIV_TAB'] = 'Deliverability';
$app_strings['LBL_LEADFWD_DELIV_TITLE'] = 'Deliverability by sender identity and mailbox provider';
$app_strings['LBL_LEADFWD_DELIV_INTRO'] = 'What each mailbox provider did with the mail of each sender identity, per day (UTC), and which providers are slowing it down right now. Bounced and complained are counted against accepted messages; deferred against every attempt.';
$app_strings['LBL_LEADFWD_DELIV_ADMINS_ONLY'] = 'Only Sugar administrators see deliverability.';
$app_strings['LBL_LEADFWD_DELIV_RANGE'] = 'Period';
$app_strings['LBL_LEADFWD_DELIV_LAST_DAYS'] = 'Last {{n}} days';
$app_strings['LBL_LEADFWD_DELIV_REFRESH'] = 'Refresh';
$app_strings['LBL_LEADFWD_DELIV_UPDATED'] = 'Updated at {{date}}.';
$app_strings['LBL_LEADFWD_DELIV_DEFAULT'] = '{{name}} (default)';
$app_strings['LBL_LEADFWD_DELIV_IDENTITY_SENDS'] = 'Sending is not paused.';
$app_strings['LBL_LEADFWD_DELIV_IDENTITY_PAUSED'] = 'Paused since {{date}}: {{reason}}. An administrator resumes it in Administration, LeadFWD settings.';
$app_strings['LBL_LEADFWD_DELIV_NO_THROTTLE'] = 'No mailbox provider is slowing this identity down.';
$app_strings['LBL_LEADFWD_DELIV_PAUSED_UNTIL'] = 'paused until {{date}}, then it resumes by itself. It said: ';
$app_strings['LBL_LEADFWD_DELIV_SLOWED'] = 'slowed to {{share}} of the rate, recovering as mail is accepted. It said: ';
$app_strings['LBL_LEADFWD_DELIV_NOTHING'] = 'Nothing sent since {{since}}.';
$app_strings['LBL_LEADFWD_DELIV_CAPTION'] = '{{name}}: messages per day and mailbox provider since {{since}}';
$app_strings['LBL_LEADFWD_DELIV_DAY'] = 'Day (UTC)';
$app_strings['LBL_LEADFWD_DELIV_PROVIDER'] = 'Mailbox provider';
$app_strings['LBL_LEADFWD_DELIV_ACCEPTED'] = 'Accepted';
$app_strings['LBL_LEADFWD_DELIV_DEFERRED'] = 'Deferred';
$app_strings['LBL_LEADFWD_DELIV_BOUNCED'] = 'Bounced';
$app_strings['LBL_LEADFWD_DELIV_COMPLAINED'] = 'Complained';
$app_strings['LBL_LEADFWD_DELIV_TOTAL'] = 'Total';
$app_strings['LBL_LEADFWD_DELIV_PROVIDER_GOOGLE'] = 'Google';
$app_strings['LBL_LEADFWD_DELIV_PROVIDER_MICROSOFT'] = 'Microsoft';
$app_strings['LBL_LEADFWD_DELIV_PROVIDER_YAHOO'] = 'Yahoo';
$app_strings['LBL_LEADFWD_DELIV_PROVIDER_APPLE'] = 'Apple';
$app_strings['LBL_LEADFWD_DELIV_PROVIDER_OTHER'] = 'Other providers';
$app_strings['LBL_LEADFWD_DELIV_PROVIDER_UNKNOWN'] = 'Unknown';
