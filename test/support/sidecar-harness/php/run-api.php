<?php
// Runs one REST call against a shipped *Api.php class the way Sugar's dispatcher would route it:
// stdin {file, class, method, path, args, user: {is_admin} | null, settings}; stdout {status, body, settings}.
// Used by the package tests and by the harness server, which stands in for Sugar's PHP side.
require __DIR__ . '/stubs.php';

$input = json_decode(stream_get_contents(STDIN), true);
$GLOBALS['leadfwd_harness_settings'] = isset($input['settings']) && is_array($input['settings']) ? $input['settings'] : array();
require $input['file'];

$out = array('status' => 404, 'body' => array('error' => 'no_method', 'error_message' => 'Could not find any route that accepted a path like: ' . $input['path']));
$api = new ServiceBase();
$api->user = isset($input['user']) && is_array($input['user']) ? new HarnessUser(!empty($input['user']['is_admin'])) : null;
$class = $input['class'];
$endpoint = new $class();
$segments = explode('/', trim($input['path'], '/'));
foreach ($endpoint->registerApiRest() as $route) {
    if ($route['reqType'] !== $input['method'] || $route['path'] !== $segments) {
        continue;
    }
    try {
        $handler = $route['method'];
        $args = isset($input['args']) && is_array($input['args']) ? $input['args'] : array();
        $out = array('status' => 200, 'body' => $endpoint->$handler($api, $args));
    } catch (SugarApiException $e) {
        $out = array('status' => $e->httpCode, 'body' => array('error' => $e->errorLabel, 'error_message' => $e->getMessage()));
    }
    break;
}
$out['settings'] = (object) $GLOBALS['leadfwd_harness_settings'];
echo json_encode($out);
