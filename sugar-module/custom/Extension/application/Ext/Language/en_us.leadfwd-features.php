<?php
// LeadFWD for Sugar: labels of the campaign features of issue 17 on a campaign's report (A/B test results, resend to
// non-openers). Placeholders in {{double braces}} are filled by the LeadFWD UI.

$app_strings['LBL_LEADFWD_AB_TITLE'] = 'A/B test';
$app_strings['LBL_LEADFWD_AB_WINNER'] = 'Variant {{variant}} won ({{who}}); the rest of the audience gets it.';
$app_strings['LBL_LEADFWD_AB_BY_RULE'] = 'chosen by its results';
$app_strings['LBL_LEADFWD_AB_UNDECIDED'] = 'No winner yet: {{reason}}. The rest of the audience waits; you may choose a variant.';
$app_strings['LBL_LEADFWD_AB_DECIDES_AT'] = 'The winner is chosen on {{when}} by people\'s {{metric}}, or by you before.';
$app_strings['LBL_LEADFWD_AB_METRIC_CLICKS'] = 'clicks';
$app_strings['LBL_LEADFWD_AB_METRIC_OPENS'] = 'opens';
$app_strings['LBL_LEADFWD_AB_COL_VARIANT'] = 'Variant';
$app_strings['LBL_LEADFWD_AB_COL_SUBJECT'] = 'Subject';
$app_strings['LBL_LEADFWD_AB_COL_ACCEPTED'] = 'Accepted';
$app_strings['LBL_LEADFWD_AB_COL_OPENERS'] = 'Opened (people)';
$app_strings['LBL_LEADFWD_AB_COL_MPP'] = 'Apple Mail Privacy Protection only';
$app_strings['LBL_LEADFWD_AB_COL_CLICKERS'] = 'Clicked (people)';
$app_strings['LBL_LEADFWD_AB_COL_RATE'] = 'Rate';
$app_strings['LBL_LEADFWD_AB_CHOOSE'] = 'Choose';
$app_strings['LBL_LEADFWD_AB_CHOOSE_NAMED'] = 'Choose variant {{variant}} as the winner';
$app_strings['LBL_LEADFWD_AB_PEOPLE_ONLY'] = 'Only people count: machine opens and link scanners\' clicks never do, and Apple Mail Privacy Protection opens are neither opened nor not opened.';
$app_strings['LBL_LEADFWD_AB_CONFIRM'] = 'Send variant {{variant}} to the rest of the audience now?';
$app_strings['LBL_LEADFWD_AB_CHOSEN'] = 'Variant {{variant}} goes to the rest of the audience.';

$app_strings['LBL_LEADFWD_FU_TITLE'] = 'Resend to non-openers';
$app_strings['LBL_LEADFWD_FU_HINT'] = 'A follow-up with a new subject to the people who did not open this campaign. Who has not opened is read when the follow-up goes.';
$app_strings['LBL_LEADFWD_FU_COUNTS'] = 'Of {{accepted}} accepted messages, {{openers}} were opened by people; {{noOpen}} were not opened; {{mpp}} were opened only by Apple Mail Privacy Protection, so nobody knows whether they were read.';
$app_strings['LBL_LEADFWD_FU_SUBJECT'] = 'Subject of the follow-up';
$app_strings['LBL_LEADFWD_FU_DEFAULT_SUBJECT'] = 'In case you missed it: {{subject}}';
$app_strings['LBL_LEADFWD_FU_DAYS'] = 'Days after this campaign was sent';
$app_strings['LBL_LEADFWD_FU_WHO'] = 'Send it to the people who';
$app_strings['LBL_LEADFWD_FU_NOT_OPENED'] = 'did not open it';
$app_strings['LBL_LEADFWD_FU_NOT_CLICKED'] = 'did not click in it';
$app_strings['LBL_LEADFWD_FU_MPP_LEGEND'] = 'The {{n}} opened only by Apple Mail Privacy Protection';
$app_strings['LBL_LEADFWD_FU_MPP_EXCLUDE'] = 'Leave them out (they may have read it)';
$app_strings['LBL_LEADFWD_FU_MPP_INCLUDE'] = 'Include them';
$app_strings['LBL_LEADFWD_FU_CHOOSE_MPP'] = 'Choose whether the people opened only by Apple Mail Privacy Protection get the follow-up.';
$app_strings['LBL_LEADFWD_FU_CREATE'] = 'Plan the follow-up';
$app_strings['LBL_LEADFWD_FU_MADE'] = 'The follow-up "{{name}}" goes on {{when}}.';

$app_strings['LBL_LEADFWD_SAVED_AUDIENCES'] = 'Saved filters and reports in Sugar';
$app_strings['LBL_LEADFWD_SAVED_AUDIENCES_HINT'] = 'Read again when the campaign goes, with your rights in Sugar: whoever they select then gets it.';
$app_strings['LBL_LEADFWD_SAVED_FILTER_ITEM'] = '{{name}} (saved filter of {{module}})';
$app_strings['LBL_LEADFWD_REPORT_ITEM'] = '{{name}} (report of {{module}})';
$app_strings['LBL_LEADFWD_NO_SAVED_AUDIENCES'] = 'You have no saved filters or reports of people or accounts in Sugar.';

$app_strings['LBL_LEADFWD_TPL_TITLE'] = 'Sugar Email Templates';
$app_strings['LBL_LEADFWD_TPL_PICK'] = 'Start from a template';
$app_strings['LBL_LEADFWD_TPL_NONE'] = 'Choose a template';
$app_strings['LBL_LEADFWD_TPL_EMPTY'] = 'No Email Templates you may read';
$app_strings['LBL_LEADFWD_TPL_USE'] = 'Use this template';
$app_strings['LBL_LEADFWD_TPL_SAVE'] = 'Save as a Sugar Email Template';
$app_strings['LBL_LEADFWD_TPL_USED'] = 'The subject and content of "{{name}}" are in the form; every Sugar variable became a merge field.';
$app_strings['LBL_LEADFWD_TPL_USED_UNMAPPED'] = 'The subject and content of "{{name}}" are in the form. These Sugar variables cannot be filled by LeadFWD and stay as typed; change them before you go on:';
$app_strings['LBL_LEADFWD_TPL_SAVED'] = 'Saved in Sugar as the Email Template "{{name}}".';
$app_strings['LBL_LEADFWD_TPL_SAVED_UNMAPPED'] = 'Saved in Sugar as the Email Template "{{name}}". Sugar has no equivalent for these, kept as typed:';
$app_strings['LBL_LEADFWD_TPL_NOTHING'] = 'Write a subject and content first.';

$app_strings['LBL_LEADFWD_LOCAL_TITLE'] = 'Local time';
$app_strings['LBL_LEADFWD_LOCAL_ON'] = 'Send at a local time in each recipient\'s time zone';
$app_strings['LBL_LEADFWD_LOCAL_HINT'] = 'The time zone comes from the person\'s record in Sugar (the LeadFWD time zone field); people without one get the time zone below.';
$app_strings['LBL_LEADFWD_LOCAL_AT'] = 'Local time';
$app_strings['LBL_LEADFWD_LOCAL_ZONE'] = 'Time zone for people without one (e.g. Europe/London; empty: yours)';
$app_strings['LBL_LEADFWD_LOCAL_PLAN'] = 'When it goes, per time zone';
$app_strings['LBL_LEADFWD_LOCAL_COL_ZONE'] = 'Time zone';
$app_strings['LBL_LEADFWD_LOCAL_COL_WHEN'] = 'Sent at';
$app_strings['LBL_LEADFWD_LOCAL_COL_COUNT'] = 'People';
$app_strings['LBL_LEADFWD_LOCAL_DEFAULT_ZONE'] = '{{zone}} (no time zone on the record)';
