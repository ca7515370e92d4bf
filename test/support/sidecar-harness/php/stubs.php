<?php
// Test doubles for the few Sugar classes LeadfwdConfigApi.php uses, written from the documented contract
// (sugar-platform.md §2, §10): no Sugar code. Settings live in $GLOBALS['leadfwd_harness_settings'].

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
    private $admin;
    public function __construct($admin)
    {
        $this->admin = (bool) $admin;
    }
    public function isAdmin()
    {
        return $this->admin;
    }
}

class ServiceBase
{
    public $user;
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
