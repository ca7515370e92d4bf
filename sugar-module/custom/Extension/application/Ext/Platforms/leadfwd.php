<?php
// LeadFWD for Sugar: the service logs in on its own OAuth platform, so its session never replaces a
// person's browser session (Sugar keeps one session per user and platform).

$platforms[] = 'leadfwd';
