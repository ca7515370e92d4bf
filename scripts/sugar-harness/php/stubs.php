<?php
// Test doubles for the few Sugar classes and globals the package's PHP uses, written from the documented contract
// (sugar-platform.md §2, §10, §13): no Sugar code. Settings live in $GLOBALS['leadfwd_harness_settings'], every
// saveSetting() is also recorded in $GLOBALS['leadfwd_harness_writes'], log lines in $GLOBALS['leadfwd_harness_log'].

if (!defined('sugarEntry')) {
    define('sugarEntry', true);
}

class SugarApiException extends Exception
{
    public $httpCode = 500;
    public $errorLabel = 'unknown_exception';
}
class SugarApiExceptionNotAuthorized extends SugarApiException
{
    public $httpCode = 403;
    public $errorLabel = 'not_authorized';
}
class SugarApiExceptionMissingParameter extends SugarApiException
{
    public $httpCode = 422;
    public $errorLabel = 'missing_parameter';
}
class SugarApiExceptionInvalidParameter extends SugarApiException
{
    public $httpCode = 422;
    public $errorLabel = 'invalid_parameter';
}

class SugarApi
{
}

class HarnessUser
{
    public $id;
    public $user_name;
    private $admin;
    public function __construct($id, $userName, $admin)
    {
        $this->id = (string) $id;
        $this->user_name = (string) $userName;
        $this->admin = (bool) $admin;
    }
    public function isAdmin()
    {
        return $this->admin;
    }
}

/** The request as a handler sees it: headers are stored without the HTTP_ prefix, upper case (OAUTH_TOKEN). */
class HarnessRequest
{
    private $method;
    private $headers;
    public function __construct($method, array $headers)
    {
        $this->method = $method;
        $this->headers = $headers;
    }
    public function getMethod()
    {
        return $this->method;
    }
    public function getHeader($name)
    {
        return isset($this->headers[$name]) ? $this->headers[$name] : null;
    }
}

class ServiceBase
{
    public $user;
    public $request;
    public function getRequest()
    {
        return $this->request;
    }
}

class HarnessLog
{
    public function __call($level, $args)
    {
        $GLOBALS['leadfwd_harness_log'][] = array($level, (string) $args[0]);
    }
}

class Administration
{
    public $settings = array();
    public function retrieveSettings($category = false, $clean = false)
    {
        $this->settings = array();
        foreach ($GLOBALS['leadfwd_harness_settings'] as $key => $value) {
            if ($category === false || strpos($key, $category . '_') === 0) {
                $this->settings[$key] = $value;
            }
        }
        return $this;
    }
    public function saveSetting($category, $key, $value, $platform = '')
    {
        $GLOBALS['leadfwd_harness_settings'][$category . '_' . $key] = (string) $value;
        $GLOBALS['leadfwd_harness_writes'][$category . '_' . $key] = (string) $value;
        return 1;
    }
}

class BeanFactory
{
    public static function newBean($module)
    {
        if ($module !== 'Administration') {
            throw new RuntimeException('harness: no bean ' . $module);
        }
        return new Administration();
    }
}

function translate($label, $module = '')
{
    return $label === 'LBL_ALL_MODULES' ? 'All Modules' : $label;
}

$GLOBALS['leadfwd_harness_settings'] = array();
$GLOBALS['leadfwd_harness_writes'] = array();
$GLOBALS['leadfwd_harness_log'] = array();
$GLOBALS['log'] = new HarnessLog();
$GLOBALS['sugar_config'] = array();
