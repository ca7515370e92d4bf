<?php
// LeadFWD for Sugar: GET|PUT /leadfwd/config ({service_url, optout_scope}). Every logged-in user reads the settings (the dashlet needs the
// service address); only administrators change them. Stored as Sugar settings in category "leadfwd".
// Nothing secret is kept here: users reach the service with their own Sugar session.

class LeadfwdConfigApi extends SugarApi
{
    const CATEGORY = 'leadfwd';

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
                'shortHelp' => 'LeadFWD settings: service address and opt-out handling',
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
        );
    }

    public function readConfig(ServiceBase $api, array $args)
    {
        $admin = BeanFactory::newBean('Administration');
        $admin->retrieveSettings(self::CATEGORY, true);
        $settings = is_array($admin->settings) ? $admin->settings : array();
        $url = isset($settings['leadfwd_service_url']) ? (string) $settings['leadfwd_service_url'] : '';
        // null until an administrator chooses: the service then keeps its own LEADFWD_OPT_OUT_SCOPE.
        $scope = isset($settings['leadfwd_optout_scope']) ? (string) $settings['leadfwd_optout_scope'] : null;
        return array(
            'service_url' => $url,
            'optout_scope' => in_array($scope, self::$scopes, true) ? $scope : null,
        );
    }

    public function saveConfig(ServiceBase $api, array $args)
    {
        if (empty($api->user) || !$api->user->isAdmin()) {
            throw new SugarApiExceptionNotAuthorized('Only administrators can change the LeadFWD settings');
        }
        if (!isset($args['service_url']) || !is_string($args['service_url'])) {
            throw new SugarApiExceptionMissingParameter('Missing parameter: service_url');
        }
        $url = rtrim(trim($args['service_url']), '/');
        if (!$this->isServiceUrl($url)) {
            throw new SugarApiExceptionInvalidParameter('service_url must be an https:// address (http:// only on this computer)');
        }
        // '' (or absent) leaves the choice to the service's own LEADFWD_OPT_OUT_SCOPE.
        $scope = isset($args['optout_scope']) ? $args['optout_scope'] : '';
        if ($scope !== '' && !in_array($scope, self::$scopes, true)) {
            throw new SugarApiExceptionInvalidParameter('optout_scope must be "all", "address", "none" or "" (the service decides)');
        }

        $admin = BeanFactory::newBean('Administration');
        $admin->saveSetting(self::CATEGORY, 'service_url', $url);
        $admin->saveSetting(self::CATEGORY, 'optout_scope', $scope);
        return $this->readConfig($api, array());
    }

    /** An absolute http(s) URL without credentials; plain http only for loopback addresses. */
    protected function isServiceUrl($url)
    {
        if (strlen($url) > 255 || filter_var($url, FILTER_VALIDATE_URL) === false) {
            return false;
        }
        $parts = parse_url($url);
        if (!is_array($parts) || empty($parts['scheme']) || empty($parts['host']) || isset($parts['user']) || isset($parts['pass'])) {
            return false;
        }
        $scheme = strtolower($parts['scheme']);
        $host = strtolower(trim($parts['host'], '[]'));
        if ($scheme === 'https') {
            return true;
        }
        return $scheme === 'http' && ($host === 'localhost' || $host === '127.0.0.1' || $host === '::1');
    }
}
