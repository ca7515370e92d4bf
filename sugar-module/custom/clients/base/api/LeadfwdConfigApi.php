<?php
// LeadFWD for Sugar: the settings behind Administration → LeadFWD settings, kept in Sugar's config table (category
// "leadfwd", which Sugar never sends to browsers).
// - GET leadfwd/config: every logged-in user reads {service_url, optout_scope, paired, paired_at}; never the secret.
// - PUT leadfwd/config: administrators change the address and the opt-out scope. A new address ends the pairing:
//   users' tokens only ever go to the service Sugar paired with.
// - POST leadfwd/pair {service_url, code}: administrators trade the service's one-time code for the relay secret.
// - POST leadfwd/test {service_url}: administrators ask what answers at an address ("Test connection").
// pair and test answer Sugar's 200 envelope {status, contentType, body}, like the relay (docs/relay.md).

require_once 'custom/include/leadfwd/LeadfwdServiceClient.php';

class LeadfwdConfigApi extends SugarApi
{
    /** The service's LEADFWD_OPT_OUT_SCOPE values: every address of the target, the one address, or none. */
    protected static $scopes = array('all', 'address', 'none');

    public function registerApiRest()
    {
        return array(
            'leadfwdConfigRead' => array(
                'reqType' => 'GET',
                'path' => array('leadfwd', 'config'),
                'pathVars' => array('', ''),
                'method' => 'readConfig',
                'shortHelp' => 'LeadFWD settings: service address, opt-out handling, pairing state',
                'longHelp' => '',
            ),
            'leadfwdConfigSave' => array(
                'reqType' => 'PUT',
                'path' => array('leadfwd', 'config'),
                'pathVars' => array('', ''),
                'method' => 'saveConfig',
                'shortHelp' => 'Change the LeadFWD settings (administrators only)',
                'longHelp' => '',
            ),
            'leadfwdPair' => array(
                'reqType' => 'POST',
                'path' => array('leadfwd', 'pair'),
                'pathVars' => array('', ''),
                'method' => 'pairService',
                'shortHelp' => 'Pair Sugar with the LeadFWD service using its one-time code (administrators only)',
                'longHelp' => '',
            ),
            'leadfwdTest' => array(
                'reqType' => 'POST',
                'path' => array('leadfwd', 'test'),
                'pathVars' => array('', ''),
                'method' => 'testService',
                'shortHelp' => 'Tell whether a LeadFWD service answers at an address (administrators only)',
                'longHelp' => '',
            ),
        );
    }

    public function readConfig(ServiceBase $api, array $args)
    {
        $settings = LeadfwdServiceClient::settings();
        // null until an administrator chooses: the service then keeps its own LEADFWD_OPT_OUT_SCOPE.
        $scope = LeadfwdServiceClient::setting($settings, 'optout_scope');
        $paired = LeadfwdServiceClient::secretBytes($settings) !== null;
        $pairedAt = LeadfwdServiceClient::setting($settings, 'paired_at');
        return array(
            'service_url' => LeadfwdServiceClient::setting($settings, 'service_url'),
            'optout_scope' => in_array($scope, self::$scopes, true) ? $scope : null,
            'paired' => $paired,
            'paired_at' => $paired && $pairedAt !== '' ? $pairedAt : null,
        );
    }

    public function saveConfig(ServiceBase $api, array $args)
    {
        $this->requireAdmin($api);
        $url = $this->serviceUrlArg($args);
        // '' (or absent) leaves the choice to the service's own LEADFWD_OPT_OUT_SCOPE.
        $scope = isset($args['optout_scope']) ? $args['optout_scope'] : '';
        if ($scope !== '' && !in_array($scope, self::$scopes, true)) {
            throw new SugarApiExceptionInvalidParameter('optout_scope must be "all", "address", "none" or "" (the service decides)');
        }
        $settings = LeadfwdServiceClient::settings();
        $values = array();
        if ($url !== LeadfwdServiceClient::setting($settings, 'service_url') && LeadfwdServiceClient::setting($settings, 'relay_secret') !== '') {
            // Another address is another service: the pairing (and with it every user's token) stays with the old one.
            $values['relay_secret'] = '';
            $values['paired_at'] = '';
        }
        $values['service_url'] = $url;
        $values['optout_scope'] = $scope;
        LeadfwdServiceClient::saveSettings($values);
        return $this->readConfig($api, array());
    }

    public function pairService(ServiceBase $api, array $args)
    {
        $this->requireAdmin($api);
        $url = $this->serviceUrlArg($args);
        $code = isset($args['code']) && is_string($args['code']) ? trim($args['code']) : '';
        if ($code === '') {
            throw new SugarApiExceptionMissingParameter('Missing parameter: code');
        }
        if (strlen($code) > 64) {
            $code = substr($code, 0, 64);
        }
        $siteUrl = isset($GLOBALS['sugar_config']['site_url']) ? $GLOBALS['sugar_config']['site_url'] : '';
        return LeadfwdServiceClient::pair($url, $code, $siteUrl);
    }

    public function testService(ServiceBase $api, array $args)
    {
        $this->requireAdmin($api);
        return LeadfwdServiceClient::hello($this->serviceUrlArg($args));
    }

    protected function requireAdmin(ServiceBase $api)
    {
        if (empty($api->user) || !$api->user->isAdmin()) {
            throw new SugarApiExceptionNotAuthorized('Only administrators can change the LeadFWD settings');
        }
    }

    protected function serviceUrlArg(array $args)
    {
        if (!isset($args['service_url']) || !is_string($args['service_url'])) {
            throw new SugarApiExceptionMissingParameter('Missing parameter: service_url');
        }
        $url = LeadfwdServiceClient::normaliseUrl($args['service_url']);
        if (!LeadfwdServiceClient::isServiceUrl($url)) {
            throw new SugarApiExceptionInvalidParameter('service_url must be an https:// address (http:// only on this computer)');
        }
        return $url;
    }
}
