<?php
// LeadFWD for Sugar: the relay (docs/relay.md). Every LeadFWD screen calls Sugar, rest/<v>/leadfwd/api/<path>, and
// this endpoint calls the LeadFWD service server-side, signed, as the logged-in user (their own Sugar token), so no
// browser ever calls the service and Sugar's Content-Security-Policy never stands in the way.
// Any logged-in user may call it: what they may do is decided by the service, asking Sugar with their token.
// The service's query string travels in lf_query, its JSON body as a string in lf_body. Sugar answers 200 with the
// envelope {status, contentType, body} whatever the service said.

require_once 'custom/include/leadfwd/LeadfwdServiceClient.php';

class LeadfwdRelayApi extends SugarApi
{
    public function registerApiRest()
    {
        // Sugar matches routes by their exact number of segments: one route for each path length (1 to 3).
        $routes = array();
        $path = array('leadfwd', 'api');
        $pathVars = array('', '');
        for ($n = 1; $n <= 3; $n++) {
            $path[] = '?';
            $pathVars[] = 'lf_path' . $n;
            $routes['leadfwdRelay' . $n] = array(
                'reqType' => array('GET', 'POST', 'PUT', 'DELETE'),
                'path' => $path,
                'pathVars' => $pathVars,
                'method' => 'relay' . $n,
                // A relayed GET must reach the service every time: no ETag, so never a 304 from Sugar.
                'noEtag' => true,
                'shortHelp' => 'LeadFWD: forwards a call to the LeadFWD service as the current user',
                'longHelp' => '',
            );
        }
        return $routes;
    }

    public function relay1(ServiceBase $api, array $args)
    {
        return $this->relayPath($api, $args, 1);
    }

    public function relay2(ServiceBase $api, array $args)
    {
        return $this->relayPath($api, $args, 2);
    }

    public function relay3(ServiceBase $api, array $args)
    {
        return $this->relayPath($api, $args, 3);
    }

    /** Only the path variables of the matched route are read: a query argument cannot add a segment. */
    protected function relayPath(ServiceBase $api, array $args, $count)
    {
        $segments = array();
        for ($i = 1; $i <= $count; $i++) {
            $key = 'lf_path' . $i;
            // Sugar drops a path segment that is empty() (such as "0"): it reads as missing, and is refused.
            $segments[] = isset($args[$key]) && is_string($args[$key]) ? $args[$key] : '';
        }
        $query = isset($args['lf_query']) && is_string($args['lf_query']) ? $args['lf_query'] : '';
        // Anything but a string (an object, null) is refused by the client as relay_bad_request.
        $body = array_key_exists('lf_body', $args) ? $args['lf_body'] : '';
        return LeadfwdServiceClient::relay($this->requestMethod($api), $segments, $query, $body, $this->userToken($api));
    }

    protected function requestMethod(ServiceBase $api)
    {
        $request = method_exists($api, 'getRequest') ? $api->getRequest() : null;
        if (is_object($request) && method_exists($request, 'getMethod') && is_string($request->getMethod())) {
            return strtoupper($request->getMethod());
        }
        return isset($_SERVER['REQUEST_METHOD']) ? strtoupper((string) $_SERVER['REQUEST_METHOD']) : 'GET';
    }

    /**
     * The access token Sugar authenticated this request with: Sugar's access token is the PHP session's id. Never the
     * request's own OAuth-Token header: inside POST /bulk each item may carry any header, unchecked, and a value with
     * line breaks would have started a second request to the service. No session: nothing to forward.
     */
    protected function userToken(ServiceBase $api)
    {
        $token = session_id();
        return is_string($token) ? $token : '';
    }
}
