<?php
// LeadFWD for Sugar: Sugar's side of the relay (docs/relay.md), shared by LeadfwdRelayApi.php and LeadfwdConfigApi.php.
// Sugar calls the LeadFWD service server-side with cURL: relayed calls are signed with the secret agreed once at
// pairing and carry the acting user's own Sugar token. Every outcome becomes the envelope
// {status, contentType, body} that Sugar answers with HTTP 200, so the service's own error body reaches the UI.
// Nothing here is logged with a secret, a token, a pairing code or a body.

if (!defined('sugarEntry') || !sugarEntry) {
    die('Not A Valid Entry Point');
}

class LeadfwdServiceClient
{
    const CATEGORY = 'leadfwd';
    /** lf_body larger than this is refused (relay_bad_request). */
    const MAX_BODY = 2097152;
    const CONNECT_TIMEOUT = 5;
    /** Seconds to wait for an answer; $sugar_config['leadfwd_relay_timeout'] may only shorten it. */
    const TIMEOUT = 30;

    /** First segments of the service API the relay forwards; anything else is refused before a call is made. */
    protected static $relayFirst = array('campaigns', 'automations', 'lists', 'sugar', 'preview', 'writeback', 'me', 'report', 'identities', 'ab-tests');

    /** The package's rows of Sugar's config table, keyed as retrieveSettings() answers them ("leadfwd_<name>"). */
    public static function settings()
    {
        $admin = BeanFactory::newBean('Administration');
        $admin->retrieveSettings(self::CATEGORY, true);
        return is_array($admin->settings) ? $admin->settings : array();
    }

    public static function setting(array $settings, $name)
    {
        $key = self::CATEGORY . '_' . $name;
        return isset($settings[$key]) && is_scalar($settings[$key]) ? (string) $settings[$key] : '';
    }

    /** Saves several settings of the leadfwd category: array('service_url' => '...', ...). */
    public static function saveSettings(array $values)
    {
        $admin = BeanFactory::newBean('Administration');
        foreach ($values as $name => $value) {
            $admin->saveSetting(self::CATEGORY, $name, (string) $value);
        }
    }

    public static function normaliseUrl($url)
    {
        return is_string($url) ? rtrim(trim($url), '/') : '';
    }

    /** An absolute http(s) URL without credentials; plain http only for loopback addresses. */
    public static function isServiceUrl($url)
    {
        if (!is_string($url) || strlen($url) > 255 || filter_var($url, FILTER_VALIDATE_URL) === false) {
            return false;
        }
        $parts = parse_url($url);
        if (!is_array($parts) || empty($parts['scheme']) || empty($parts['host']) || isset($parts['user']) || isset($parts['pass'])
            || isset($parts['query']) || isset($parts['fragment'])) {
            return false;
        }
        $scheme = strtolower($parts['scheme']);
        $host = strtolower(trim($parts['host'], '[]'));
        if ($scheme === 'https') {
            return true;
        }
        return $scheme === 'http' && ($host === 'localhost' || $host === '127.0.0.1' || $host === '::1');
    }

    /** The relay secret as bytes, or null while Sugar is not paired. */
    public static function secretBytes(array $settings)
    {
        $secret = self::setting($settings, 'relay_secret');
        if (!preg_match('/^[A-Za-z0-9_-]{43}$/', $secret)) {
            return null;
        }
        $bytes = base64_decode(strtr($secret, '-_', '+/'), false);
        return is_string($bytes) && strlen($bytes) === 32 ? $bytes : null;
    }

    public static function envelope($status, $body, $contentType = 'application/json')
    {
        return array('status' => (int) $status, 'contentType' => $contentType, 'body' => (string) $body);
    }

    /** An envelope Sugar makes itself when the service cannot be asked (docs/relay.md, the table of relay errors). */
    public static function failure($status, $error, $message)
    {
        return self::envelope($status, json_encode(array('error' => $error, 'message' => $message)));
    }

    public static function notLeadfwd()
    {
        return self::failure(502, 'not_leadfwd', 'The address does not answer like a LeadFWD service');
    }

    /** The answer of a service call decoded as an object, or an empty array. */
    public static function decoded(array $envelope)
    {
        $body = $envelope['contentType'] === 'application/json' ? json_decode($envelope['body'], true) : null;
        return is_array($body) ? $body : array();
    }

    /**
     * Forwards one user's call: METHOD <service_url>/relay/v1/<segments>[?<query>] with the body as given, signed.
     * The checks run in the order of docs/relay.md: configured, paired, then the request itself.
     */
    public static function relay($method, array $segments, $query, $body, $token)
    {
        $settings = self::settings();
        $url = self::setting($settings, 'service_url');
        if ($url === '' || !self::isServiceUrl($url)) {
            return self::failure(409, 'relay_not_configured', 'No LeadFWD service address is saved in Sugar');
        }
        $secret = self::secretBytes($settings);
        if ($secret === null) {
            return self::failure(409, 'relay_not_paired', 'Sugar is not paired with the LeadFWD service yet');
        }
        $method = strtoupper((string) $method);
        // A session id's characters only: nothing else may reach a header line.
        if (!self::relayable($method, $segments, $query, $body) || !is_string($token) || !preg_match('/^[A-Za-z0-9,-]{1,512}$/', $token)) {
            return self::failure(422, 'relay_bad_request', 'This LeadFWD request cannot be relayed');
        }
        $query = (string) $query;
        $body = (string) $body;
        $path = '/relay/v1/' . implode('/', $segments) . ($query !== '' ? '?' . $query : '');
        $timestamp = (string) time();
        $nonce = bin2hex(random_bytes(16));
        $signing = implode("\n", array('v1', $timestamp, $nonce, $method, $path, hash('sha256', $body), hash('sha256', $token)));
        $headers = array(
            'OAuth-Token: ' . $token,
            'X-LeadFWD-Timestamp: ' . $timestamp,
            'X-LeadFWD-Nonce: ' . $nonce,
            'X-LeadFWD-Signature: v1=' . hash_hmac('sha256', $signing, $secret),
            'Accept: application/json',
        );
        if ($body !== '') {
            $headers[] = 'Content-Type: application/json';
        }
        return self::send($method, $url . $path, $headers, $method === 'GET' ? null : $body);
    }

    /**
     * An allowed path of at most 3 plain segments, a query of printable ASCII without "#" (anything else percent-encoded:
     * raw, the service's HTTP parser refused it and the user was told the service was not LeadFWD), a string body of at
     * most 2 MB (none on GET).
     */
    protected static function relayable($method, array $segments, $query, $body)
    {
        if (!in_array($method, array('GET', 'POST', 'PUT', 'DELETE'), true) || count($segments) < 1 || count($segments) > 3) {
            return false;
        }
        if (!is_string($segments[0]) || !in_array($segments[0], self::$relayFirst, true)) {
            return false;
        }
        foreach ($segments as $segment) {
            if (!is_string($segment) || !preg_match('/^[A-Za-z0-9_-]{1,64}$/', $segment)) {
                return false;
            }
        }
        if (!is_string($query) || strlen($query) > 4096 || preg_match('/[^\x21-\x7E]|#/', $query)) {
            return false;
        }
        if (!is_string($body) || strlen($body) > self::MAX_BODY || ($method === 'GET' && $body !== '')) {
            return false;
        }
        return true;
    }

    /** Trades a pairing code for the relay secret; stores address, secret and date only when the service agreed. */
    public static function pair($serviceUrl, $code, $sugarUrl)
    {
        $payload = array('code' => $code);
        if (is_string($sugarUrl) && preg_match('#^https?://\S{1,250}$#i', $sugarUrl)) {
            $payload['sugarUrl'] = $sugarUrl;
        }
        $envelope = self::send('POST', $serviceUrl . '/relay/pair', array('Content-Type: application/json', 'Accept: application/json'),
            json_encode($payload, JSON_UNESCAPED_SLASHES));
        $answer = self::decoded($envelope);
        $isLeadfwd = isset($answer['service']) && $answer['service'] === 'leadfwd';
        $secret = isset($answer['secret']) && is_string($answer['secret']) ? $answer['secret'] : '';
        if ($envelope['status'] === 200 && $isLeadfwd && preg_match('/^[A-Za-z0-9_-]{43}$/', $secret)) {
            $pairedAt = isset($answer['pairedAt']) && is_string($answer['pairedAt']) && strlen($answer['pairedAt']) <= 40
                ? $answer['pairedAt'] : gmdate('Y-m-d\TH:i:s\Z');
            // The secret first: an address saved alone would leave Sugar paired with the previous service's secret.
            self::saveSettings(array('relay_secret' => $secret, 'paired_at' => $pairedAt, 'service_url' => $serviceUrl));
            self::log('info', 'LeadFWD: Sugar is now paired with the LeadFWD service at ' . self::hostOf($serviceUrl));
            return self::envelope(200, json_encode(array('paired' => true, 'paired_at' => $pairedAt)));
        }
        self::log('error', 'LeadFWD: pairing with the service at ' . self::hostOf($serviceUrl) . ' failed (status ' . $envelope['status'] . ')');
        return $envelope['status'] === 200 ? self::notLeadfwd() : $envelope;
    }

    /** "Test connection": what answers GET <url>/relay/hello. */
    public static function hello($serviceUrl)
    {
        $envelope = self::send('GET', $serviceUrl . '/relay/hello', array('Accept: application/json'), null);
        $hello = self::decoded($envelope);
        if (isset($hello['service']) && $hello['service'] === 'leadfwd') {
            return $envelope;
        }
        $own = isset($hello['error']) && in_array($hello['error'], array('service_unreachable', 'service_timeout', 'not_leadfwd'), true);
        return $own && $envelope['status'] >= 500 ? $envelope : self::notLeadfwd();
    }

    /** One HTTP call to the service: its answer as an envelope, or the relay's own when it cannot be asked. */
    protected static function send($method, $url, array $headers, $body)
    {
        // Without this, cURL waits a second for "100 Continue" before sending a body over 1 KB.
        $headers[] = 'Expect:';
        $ch = curl_init();
        $options = array(
            CURLOPT_URL => $url,
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_HEADER => false,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_PROTOCOLS => CURLPROTO_HTTP | CURLPROTO_HTTPS,
            CURLOPT_CONNECTTIMEOUT => self::CONNECT_TIMEOUT,
            CURLOPT_TIMEOUT => self::timeout(),
            CURLOPT_SSL_VERIFYPEER => true,
            CURLOPT_SSL_VERIFYHOST => 2,
            CURLOPT_HTTPHEADER => $headers,
        );
        if ($body !== null) {
            $options[CURLOPT_POSTFIELDS] = $body;
        }
        curl_setopt_array($ch, $options);
        $text = curl_exec($ch);
        $errno = curl_errno($ch);
        $status = (int) curl_getinfo($ch, CURLINFO_HTTP_CODE);
        $type = strtolower(trim(current(explode(';', (string) curl_getinfo($ch, CURLINFO_CONTENT_TYPE)))));
        $ch = null;
        if ($errno === 28) {
            self::log('error', 'LeadFWD: the service at ' . self::hostOf($url) . ' did not answer in time');
            return self::failure(504, 'service_timeout', 'The LeadFWD service did not answer in time');
        }
        if ($text === false || $errno !== 0) {
            self::log('error', 'LeadFWD: the service at ' . self::hostOf($url) . ' cannot be reached (cURL error ' . $errno . ')');
            return self::failure(502, 'service_unreachable', 'The LeadFWD service cannot be reached from Sugar');
        }
        if (($type !== 'application/json' && $type !== 'text/csv') || !preg_match('//u', $text)) {
            self::log('error', 'LeadFWD: the address ' . self::hostOf($url) . ' does not answer like a LeadFWD service (status ' . $status . ')');
            return self::notLeadfwd();
        }
        return self::envelope($status, $text, $type);
    }

    protected static function timeout()
    {
        $configured = isset($GLOBALS['sugar_config']['leadfwd_relay_timeout']) ? (int) $GLOBALS['sugar_config']['leadfwd_relay_timeout'] : 0;
        return $configured >= 1 && $configured < self::TIMEOUT ? $configured : self::TIMEOUT;
    }

    /** Scheme, host and port only: never a path or query, which could carry what a log must not. */
    protected static function hostOf($url)
    {
        $parts = parse_url($url);
        if (!is_array($parts) || empty($parts['host'])) {
            return '(invalid address)';
        }
        return (isset($parts['scheme']) ? $parts['scheme'] : 'https') . '://' . $parts['host'] . (isset($parts['port']) ? ':' . $parts['port'] : '');
    }

    /** One line in Sugar's log: addresses and statuses only. */
    protected static function log($level, $message)
    {
        if (!isset($GLOBALS['log']) || !is_object($GLOBALS['log'])) {
            return;
        }
        if ($level === 'info') {
            $GLOBALS['log']->info($message);
        } else {
            $GLOBALS['log']->error($message);
        }
    }
}
