// The one application error: a refusal with a stable code the API, the sidecar UI (which maps codes to translated
// messages) and the tests rely on, a message for people, and optional details. Use cases throw it and know nothing
// of HTTP; the HTTP adapter owns the one table from code to status (http/errors.ts).
export type AppErrorCode =
  // the request itself
  | 'bad_request'
  | 'bad_json'
  | 'not_json'
  | 'too_large'
  | 'invalid_input'
  | 'invalid_module'
  | 'not_found'
  | 'too_many_events'
  // who is calling
  | 'unauthorized'
  | 'forbidden'
  | 'sugar_token_rejected'
  | 'too_many_token_checks'
  | 'relay_unsigned'
  | 'relay_not_paired'
  | 'relay_stale'
  | 'relay_signature_invalid'
  | 'relay_replayed'
  | 'pairing_code_invalid'
  // Sugar's rights, as the user
  | 'sugar_rights'
  | 'not_your_campaign'
  | 'field_not_readable'
  | 'admin_only'
  | 'api_key_only'
  | 'secret_field'
  | 'module_not_allowed'
  | 'sender_not_allowed'
  | 'unknown_sugar_campaign'
  // campaigns, lists, automations, test sends
  | 'invalid_campaign'
  | 'invalid_template'
  | 'content_too_large'
  | 'unknown_lists'
  | 'unknown_audience'
  | 'invalid_transition'
  | 'sender_still_running'
  | 'not_held'
  | 'automation_step'
  | 'invalid_automation'
  | 'invalid_enrolment'
  | 'not_editable'
  | 'invalid_list'
  | 'list_too_large'
  | 'missing_recipients'
  | 'invalid_addresses'
  | 'not_a_test_list'
  | 'too_many'
  | 'test_send_limit'
  // sender identities
  | 'invalid_identity'
  | 'unknown_identity'
  | 'identity_not_allowed'
  | 'identity_not_ready'
  | 'identity_in_use'
  | 'schedule_does_not_fit'
  // the service's own state
  | 'store_unavailable';

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}
