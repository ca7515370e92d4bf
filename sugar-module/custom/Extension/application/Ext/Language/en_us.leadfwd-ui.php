<?php
// LeadFWD for Sugar: labels of the stepped send flow, the dashlet summary and the settings page as issue 13 reworked
// them (app strings). Placeholders in {{double braces}} are filled by the LeadFWD UI.

$app_strings['LBL_LEADFWD_STEPS'] = 'Steps of sending a campaign';
$app_strings['LBL_LEADFWD_STEP_AUDIENCE'] = 'Audience';
$app_strings['LBL_LEADFWD_STEP_CONTENT'] = 'Content';
$app_strings['LBL_LEADFWD_STEP_SETTINGS'] = 'Settings';
$app_strings['LBL_LEADFWD_STEP_REVIEW'] = 'Review';
$app_strings['LBL_LEADFWD_STEP_CURRENT'] = 'current step';
$app_strings['LBL_LEADFWD_STEP_DONE'] = 'done';
$app_strings['LBL_LEADFWD_STEP_AUDIENCE_TITLE'] = 'Who receives it';
$app_strings['LBL_LEADFWD_STEP_CONTENT_TITLE'] = 'What they receive';
$app_strings['LBL_LEADFWD_STEP_SETTINGS_TITLE'] = 'Name, sender and schedule';
$app_strings['LBL_LEADFWD_NEXT_CONTENT'] = 'Next: content';
$app_strings['LBL_LEADFWD_NEXT_SETTINGS'] = 'Next: settings';
$app_strings['LBL_LEADFWD_PREV'] = 'Back';

$app_strings['LBL_LEADFWD_FORMAT_HINT'] = 'Switching the format converts the content: HTML goes into one MJML text block, MJML is compiled to HTML.';
$app_strings['LBL_LEADFWD_FORMAT_STARTER'] = 'The starter text now matches the format.';
$app_strings['LBL_LEADFWD_FORMAT_ALREADY_MJML'] = 'The content is MJML already.';
$app_strings['LBL_LEADFWD_FORMAT_TO_MJML'] = 'Converted: your HTML now sits in one MJML text block. Preview it to check.';
$app_strings['LBL_LEADFWD_FORMAT_CONVERTING'] = 'Converting the MJML to HTML...';
$app_strings['LBL_LEADFWD_FORMAT_TO_HTML'] = 'Converted: MJML compiled your content to HTML; your merge tags are kept.';
$app_strings['LBL_LEADFWD_FORMAT_KEPT_MJML'] = 'The content stays MJML: it could not be converted to HTML.';
$app_strings['LBL_LEADFWD_ERR_MJML_AS_HTML'] = 'This content is MJML. Choose MJML as the format, or it would be sent as raw tags.';
$app_strings['LBL_LEADFWD_ERR_HTML_AS_MJML'] = 'MJML content starts with <mjml>. Choose HTML as the format for this content.';

$app_strings['LBL_LEADFWD_INSERT_TITLE'] = 'Insert a merge field';
$app_strings['LBL_LEADFWD_INSERT_HINT'] = 'Puts the field where the cursor is in the subject or the content. LeadFWD reads every field the message uses from Sugar; the list shows only fields your Sugar role lets you read.';
$app_strings['LBL_LEADFWD_INSERT_FIELD'] = 'Field';
$app_strings['LBL_LEADFWD_INSERT_DEFAULT'] = 'Shown when the field is empty (optional)';
$app_strings['LBL_LEADFWD_INSERT_BUTTON'] = 'Insert';
$app_strings['LBL_LEADFWD_INSERTED'] = 'Inserted {{tag}} into the {{where}}.';
$app_strings['LBL_LEADFWD_LOADING_FIELDS'] = 'Loading the fields...';
$app_strings['LBL_LEADFWD_CUSTOM_FIELDS'] = 'Custom fields';
$app_strings['LBL_LEADFWD_STANDARD_FIELDS'] = 'Standard fields';

$app_strings['LBL_LEADFWD_PREVIEW_TO'] = 'To';
$app_strings['LBL_LEADFWD_PREVIEW_WIDTH'] = 'Preview width';
$app_strings['LBL_LEADFWD_PREVIEW_DESKTOP'] = 'Desktop';
$app_strings['LBL_LEADFWD_PREVIEW_MOBILE'] = 'Mobile';
$app_strings['LBL_LEADFWD_PREVIEW_TEXT'] = 'Text part';
$app_strings['LBL_LEADFWD_PREVIEW_SAMPLE_NOTE'] = 'A sample: the name is Sam Example and other fields are empty, so each field shows its default. Review shows the real message of a recipient you choose.';
$app_strings['LBL_LEADFWD_RECIPIENT_PREVIEW'] = 'The message as a recipient gets it';
$app_strings['LBL_LEADFWD_RECIPIENT'] = 'Preview for';
$app_strings['LBL_LEADFWD_RECIPIENTS_FIRST'] = 'The first {{shown}} of {{total}} recipients.';
$app_strings['LBL_LEADFWD_SUBJECT_FOR'] = '(for {{name}})';
$app_strings['LBL_LEADFWD_SUBJECT_PENDING'] = 'Shown with the recipient preview below.';
$app_strings['LBL_LEADFWD_AUDIENCE'] = 'Audience';
$app_strings['LBL_LEADFWD_MERGE_NONE'] = 'Names and titles only';

$app_strings['LBL_LEADFWD_ALL_CAMPAIGNS'] = 'All campaigns';
$app_strings['LBL_LEADFWD_RECENT_CAMPAIGNS'] = 'Recent campaigns';
$app_strings['LBL_LEADFWD_SENT_ON'] = 'Sent {{when}}';
$app_strings['LBL_LEADFWD_SENDING_SINCE'] = 'Sending since {{when}}';
$app_strings['LBL_LEADFWD_SENDS_ON'] = 'Sends {{when}}';
$app_strings['LBL_LEADFWD_PAUSED_ON'] = 'Paused {{when}}';
$app_strings['LBL_LEADFWD_CANCELLED_ON'] = 'Cancelled {{when}}';
$app_strings['LBL_LEADFWD_FAILED_ON'] = 'Failed {{when}}: {{reason}}';
$app_strings['LBL_LEADFWD_FIGURES'] = 'Key figures, people only';
$app_strings['LBL_LEADFWD_FIG_ACCEPTED'] = 'accepted';
$app_strings['LBL_LEADFWD_FIG_OPENED'] = 'opened';
$app_strings['LBL_LEADFWD_FIG_CLICKED'] = 'clicked';
$app_strings['LBL_LEADFWD_FIG_BOUNCED'] = 'bounced';
$app_strings['LBL_LEADFWD_FIG_OPTED_OUT'] = 'opted out';
$app_strings['LBL_LEADFWD_CHART_HOURLY'] = 'Opens and clicks of people by hour, {{name}}';
$app_strings['LBL_LEADFWD_CHART_OPENS'] = 'Opens';
$app_strings['LBL_LEADFWD_CHART_CLICKS'] = 'Clicks';
$app_strings['LBL_LEADFWD_CHART_HOUR'] = 'Hour';
$app_strings['LBL_LEADFWD_REFRESH_FAILED'] = 'Not refreshed: {{reason}} The figures below are from the last refresh.';
$app_strings['LBL_LEADFWD_AUTOMATION_TOTALS'] = '{{steps}} emails: {{sent}} sent, {{opened}} opened, {{clicked}} clicked';
$app_strings['LBL_LEADFWD_AUTOMATION_PAUSE'] = 'Pause';
$app_strings['LBL_LEADFWD_AUTOMATION_RESUME'] = 'Resume';
$app_strings['LBL_LEADFWD_AUTOMATION_STOP'] = 'Stop';
$app_strings['LBL_LEADFWD_AUTOMATION_PAUSE_NAMED'] = 'Pause {{name}}';
$app_strings['LBL_LEADFWD_AUTOMATION_RESUME_NAMED'] = 'Resume {{name}}';
$app_strings['LBL_LEADFWD_AUTOMATION_STOP_NAMED'] = 'Stop {{name}}';
$app_strings['LBL_LEADFWD_AUTOMATION_DONE_PAUSE'] = '{{name}} is paused: everyone waits where they are.';
$app_strings['LBL_LEADFWD_AUTOMATION_DONE_RESUME'] = '{{name}} runs again.';
$app_strings['LBL_LEADFWD_AUTOMATION_DONE_STOP'] = '{{name}} is stopped.';
$app_strings['LBL_LEADFWD_AUTOMATION_CONFIRM_STOP'] = 'Stop {{name}}? Nobody moves on in it or gets its emails any more, and it cannot be started again.';

$app_strings['LBL_LEADFWD_CONFIG_ERR_UNREACHABLE'] = 'Sugar cannot reach {{url}}. Check the LeadFWD service address and that the service is running.';
$app_strings['LBL_LEADFWD_CONFIG_ERR_TIMEOUT'] = '{{url}} did not answer Sugar in time. Check the LeadFWD service address, or try again in a moment.';
$app_strings['LBL_LEADFWD_CONFIG_ERR_NOT_LEADFWD'] = '{{url}} does not answer like a LeadFWD service. Check the LeadFWD service address.';
$app_strings['LBL_LEADFWD_CONFIG_ERR_CODE'] = 'This pairing code is not valid: it may be mistyped, used already or expired. Make a new code on the LeadFWD service and enter it here.';

$app_strings['LBL_LEADFWD_PAGE_CAMPAIGNS'] = 'LeadFWD campaigns';
$app_strings['LBL_LEADFWD_PAGE_REPORT'] = 'Campaign report';
$app_strings['LBL_LEADFWD_PAGE_LINKS'] = 'Clicks per link (people)';
$app_strings['LBL_LEADFWD_PAGE_LINK'] = 'Link';
$app_strings['LBL_LEADFWD_PAGE_PEOPLE'] = 'People';
$app_strings['LBL_LEADFWD_PAGE_CLICKS'] = 'Clicks';
