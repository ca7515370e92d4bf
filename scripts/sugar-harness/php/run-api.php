<?php
// Answers one REST request with the package's *Api.php classes the way Sugar's REST service routes it (sugar-platform.md
// §10, §13; the facts, not Sugar's code): every class under custom/clients/base/api registers its routes; a route matches
// on the exact number of segments ('?' matches any one), the route with the most literal segments wins, reqType may be
// a list; args are array_merge(post body, query, path vars) plus __sugar_url; path vars skip empty() segments.
// stdin {root, method, path, query, body, headers, session, user: {id, user_name, is_admin} | null, settings, sugar_config}
// stdout {status, body, writes, log}. Used by the package tests and by the harness server, which stands in for Sugar.
require __DIR__ . '/stubs.php';

$input = json_decode(stream_get_contents(STDIN), true);
error_reporting(E_ALL);
set_error_handler(function ($no, $message, $file, $line) {
    throw new ErrorException($message . ' at ' . $file . ':' . $line, 0, $no, $file, $line);
});
chdir($input['root']);
$GLOBALS['leadfwd_harness_settings'] = isset($input['settings']) && is_array($input['settings']) ? $input['settings'] : array();
$GLOBALS['sugar_config'] = isset($input['sugar_config']) && is_array($input['sugar_config']) ? $input['sugar_config'] : array();
$method = strtoupper($input['method']);
$headers = isset($input['headers']) && is_array($input['headers']) ? $input['headers'] : array();
foreach ($headers as $name => $value) {
    $_SERVER['HTTP_' . $name] = $value;
}
$_SERVER['REQUEST_METHOD'] = $method;
// Sugar's access token is the PHP session it opens for the request (sugar-platform.md §1): the token it authenticated.
if (isset($input['session']) && is_string($input['session']) && $input['session'] !== '') {
    session_id($input['session']);
}

$path = explode('/', trim($input['path'], '/'));
$best = null;
foreach (glob('custom/clients/base/api/*Api.php') as $file) {
    require_once $file;
    $class = basename($file, '.php');
    $endpoint = new $class();
    foreach ($endpoint->registerApiRest() as $route) {
        $methods = is_array($route['reqType']) ? $route['reqType'] : array($route['reqType']);
        if (!in_array($method, $methods, true) || count($route['path']) !== count($path)) {
            continue;
        }
        $score = 0;
        foreach ($route['path'] as $i => $segment) {
            if ($segment === '?') {
                continue;
            }
            if ($segment !== $path[$i]) {
                continue 2;
            }
            $score++;
        }
        if ($best === null || $score > $best['score']) {
            $best = array('score' => $score, 'endpoint' => $endpoint, 'route' => $route);
        }
    }
}

$out = array('status' => 404, 'body' => array('error' => 'no_method', 'error_message' => 'Could not find any route that accepted a path like: ' . $input['path']));
if ($best !== null) {
    $api = new ServiceBase();
    $api->request = new HarnessRequest($method, $headers);
    $user = isset($input['user']) && is_array($input['user']) ? $input['user'] : null;
    $api->user = $user ? new HarnessUser($user['id'], $user['user_name'], !empty($user['is_admin'])) : null;
    $post = array();
    if (isset($input['body']) && is_string($input['body']) && $input['body'] !== '') {
        $decoded = json_decode($input['body'], true);
        if (!is_array($decoded)) {
            $out = array('status' => 400, 'body' => array('error' => 'invalid_parameter', 'error_message' => 'The request body is not JSON'));
            $best = null;
        } else {
            $post = $decoded;
        }
    }
}
if ($best !== null) {
    $get = isset($input['query']) && is_array($input['query']) ? $input['query'] : array();
    $get['__sugar_url'] = 'v11_1/' . trim($input['path'], '/');
    $pathVars = array();
    foreach ($best['route']['pathVars'] as $i => $name) {
        if (!empty($name) && !empty($path[$i])) {
            $pathVars[$name] = $path[$i];
        }
    }
    try {
        $handler = $best['route']['method'];
        $out = array('status' => 200, 'body' => $best['endpoint']->$handler($api, array_merge($post, $get, $pathVars)));
    } catch (SugarApiException $e) {
        $out = array('status' => $e->httpCode, 'body' => array('error' => $e->errorLabel, 'error_message' => $e->getMessage()));
    } catch (Throwable $e) {
        $out = array('status' => 500, 'body' => array('error' => 'fatal_error', 'error_message' => get_class($e) . ': ' . $e->getMessage()));
    }
}
$out['writes'] = (object) $GLOBALS['leadfwd_harness_writes'];
$out['log'] = $GLOBALS['leadfwd_harness_log'];
echo json_encode($out);
