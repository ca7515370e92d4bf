<?php
// LeadFWD for Sugar: the send flow view, shown in a drawer by the leadfwd-send layout.

$viewdefs['base']['view']['leadfwd-send'] = array(
    'template' => 'leadfwd-send',
);
