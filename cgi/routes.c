/* routes.c — the table of pages and the inputs each accepts. */
#include "routes.h"

#include <string.h>
#include <strings.h>

#include "autodiscover.h"
#include "foldername.h"
#include "uidset.h"

const struct input_def input_defs[IN__MAX] = {
    [IN_VIEW] = {"view", SRC_QUERY, valid_enum_word},
    [IN_USER] = {"user", SRC_FORM, valid_username},
    [IN_PASSWORD] = {"password", SRC_FORM, valid_password},
    [IN_CSRF] = {"csrf", SRC_FORM, valid_token},
    [IN_FOLDER] = {"f", SRC_QUERY, valid_folder},
    [IN_PAGE] = {"page", SRC_QUERY, valid_uint},
    [IN_SORT] = {"sort", SRC_QUERY, valid_enum_word},
    [IN_ORDER] = {"order", SRC_QUERY, valid_enum_word},
    [IN_QUERY] = {"q", SRC_QUERY, valid_search},
    [IN_IN] = {"in", SRC_QUERY, valid_enum_word},
    [IN_UID] = {"uid", SRC_QUERY, valid_uid},
    [IN_PART] = {"part", SRC_QUERY, valid_section},
    [IN_REMOTE] = {"remote", SRC_QUERY, valid_bool},
    [IN_INLINE] = {"inline", SRC_QUERY, valid_bool},
    [IN_MSG] = {"m", SRC_QUERY, valid_uidl},
    [IN_CONFIRM] = {"confirm", SRC_FORM, valid_bool},
    [IN_PROTO] = {"proto", SRC_FORM, valid_enum_word},
    [IN_REMOVE] = {"remove", SRC_FORM, valid_bool},
    [IN_OP] = {"op", SRC_FORM, valid_enum_word},
    [IN_TO] = {"to", SRC_FORM, valid_folder},
    [IN_EVERY] = {"every", SRC_FORM, valid_uint},
    [IN_LIVE] = {"live", SRC_FORM, valid_bool},
    [IN_EMAILADDRESS] = {"emailaddress", SRC_QUERY, valid_email},
    [IN_INCOMING] = {"incoming", SRC_QUERY, valid_enum_word},
    [IN_UIDS] = {"uid", SRC_FORM, valid_uid_set, true},
    [IN_UV] = {"uv", SRC_FORM, valid_uid},
    [IN_NEXT] = {"next", SRC_FORM, valid_uid},
    [IN_NAME] = {"name", SRC_FORM, valid_folder_text},
    [IN_PARENT] = {"parent", SRC_FORM, valid_parent_folder},
    [IN_DONE] = {"done", SRC_QUERY, valid_enum_word},
    [IN_COUNT] = {"n", SRC_QUERY, valid_uint},
    [IN_GONE] = {"gone", SRC_QUERY, valid_uint},
    /* writing mail: header fields take any text here, so that a line
     * break is reported beside its field instead of failing the form */
    [IN_MODE] = {"mode", SRC_QUERY, valid_enum_word},
    [IN_DRAFT_Q] = {"draft", SRC_QUERY, valid_uid},
    [IN_DRAFT] = {"draft", SRC_FORM, valid_uid},
    [IN_TOKEN] = {"token", SRC_FORM, valid_token},
    [IN_FROM] = {"from", SRC_FORM, valid_text},
    [IN_RCPT_TO] = {"to", SRC_FORM, valid_text},
    [IN_CC] = {"cc", SRC_FORM, valid_text},
    [IN_BCC] = {"bcc", SRC_FORM, valid_text},
    [IN_SUBJECT] = {"subject", SRC_FORM, valid_text},
    [IN_BODY] = {"body", SRC_FORM, valid_mail_text},
    [IN_ATTACH] = {"attach", SRC_FORM, valid_line, false, INPUT_ITEMS | INPUT_FILE},
    [IN_KEEP] = {"keep", SRC_FORM, valid_uint, false, INPUT_ITEMS},
    [IN_IRT] = {"in_reply_to", SRC_FORM, valid_text},
    [IN_REFS] = {"references", SRC_FORM, valid_text},
};

/* Outlook POSTs its Autodiscover request as text/xml. */
static const struct raw_body xml_body = {{"text/xml", "application/xml", NULL}, AD_BODY_MAX};

#define GET_ONLY (METHOD_BIT(METHOD_GET) | METHOD_BIT(METHOD_HEAD))
#define GET_POST (GET_ONLY | METHOD_BIT(METHOD_POST))
#define POST_ONLY METHOD_BIT(METHOD_POST)

static const struct route routes[] = {
    {"/", GET_ONLY, page_home, {IN__MAX}, 0, NULL},
    {"/settings", GET_ONLY, page_settings, {IN_VIEW, IN__MAX}, 0, NULL},
    {"/healthz", GET_ONLY, page_health, {IN__MAX}, 0, NULL},
    {"/login", GET_POST, page_login, {IN_USER, IN_PASSWORD, IN_PROTO, IN__MAX}, 0, NULL},
    {"/logout", POST_ONLY, page_logout, {IN_CSRF, IN__MAX}, 0, NULL},
    {"/account/settings", GET_ONLY, page_account_settings, {IN_VIEW, IN__MAX}, 0, NULL},
    {"/account/check", POST_ONLY, page_check, {IN_CSRF, IN__MAX}, 0, NULL},
    {"/mail", GET_ONLY, page_mail_root, {IN__MAX}, 0, NULL},
    {"/mail/", GET_ONLY, page_mailbox, {IN_FOLDER, IN_PAGE, IN_SORT, IN_ORDER, IN_QUERY, IN_IN, IN_DONE, IN_COUNT, IN_GONE, IN__MAX}, 0, NULL},
    {"/mail/message", GET_ONLY, page_message, {IN_FOLDER, IN_UID, IN_MSG, IN_PART, IN_REMOTE, IN__MAX}, 0, NULL},
    {"/mail/body", GET_ONLY, page_message_body, {IN_FOLDER, IN_UID, IN_MSG, IN_PART, IN_REMOTE, IN__MAX}, 0, NULL},
    {"/mail/action", POST_ONLY, page_message_action, {IN_CSRF, IN_FOLDER, IN_UID, IN_OP, IN_TO, IN_CONFIRM, IN_UV, IN__MAX}, 0, NULL},
    {"/mail/compose", GET_POST, page_compose,
     {IN_FOLDER, IN_UID, IN_MODE, IN_DRAFT_Q, IN_CSRF, IN_DRAFT, IN_TOKEN, IN_FROM, IN_RCPT_TO,
      IN_CC, IN_BCC, IN_SUBJECT, IN_BODY, IN_ATTACH, IN_KEEP, IN_IRT, IN_REFS, IN_OP, IN__MAX},
     ROUTE_NUL_TEXT, NULL},
    {"/mail/events", GET_ONLY, page_events, {IN_FOLDER, IN__MAX}, 0, NULL},
    {"/mail/status", GET_ONLY, page_mail_status, {IN_FOLDER, IN__MAX}, 0, NULL},
    {"/mail/refresh-settings", POST_ONLY, page_refresh_settings, {IN_CSRF, IN_EVERY, IN_LIVE, IN__MAX}, 0, NULL},
    {"/mail/selection", POST_ONLY, page_selection, {IN_CSRF, IN_FOLDER, IN_UIDS, IN_UV, IN_OP, IN_TO, IN_CONFIRM, IN_NEXT, IN__MAX}, 0, NULL},
    {"/mail/folders", GET_ONLY, page_folders, {IN_DONE, IN_FOLDER, IN__MAX}, 0, NULL},
    {"/mail/folder-action", POST_ONLY, page_folder_action, {IN_CSRF, IN_OP, IN_FOLDER, IN_NAME, IN_PARENT, IN_CONFIRM, IN_NEXT, IN__MAX}, 0, NULL},
    {"/mail/pop3-settings", POST_ONLY, page_pop3_settings, {IN_CSRF, IN_REMOVE, IN__MAX}, 0, NULL},
    {"/mail/part", GET_ONLY, page_message_part, {IN_FOLDER, IN_UID, IN_MSG, IN_PART, IN_INLINE, IN__MAX}, 0, NULL},
    {"/mail/raw", GET_ONLY, page_message_raw, {IN_FOLDER, IN_UID, IN_MSG, IN__MAX}, 0, NULL},
    {"/mail/delete", POST_ONLY, page_pop3_delete, {IN_CSRF, IN_MSG, IN_CONFIRM, IN__MAX}, 0, NULL},
    /* mail clients configure themselves (page_autoconfig.c) */
    {"/mail/config-v1.1.xml", GET_ONLY, page_autoconfig, {IN_EMAILADDRESS, IN_VIEW, IN__MAX}, 0, NULL},
    {"/.well-known/autoconfig/mail/config-v1.1.xml", GET_ONLY, page_autoconfig, {IN_EMAILADDRESS, IN_VIEW, IN__MAX}, 0, NULL},
    {"/profile.mobileconfig", GET_ONLY, page_mobileconfig, {IN_EMAILADDRESS, IN_VIEW, IN_INCOMING, IN__MAX}, 0, NULL},
    {"/autodiscover/autodiscover.xml", GET_POST, page_autodiscover, {IN__MAX}, ROUTE_ANY_CASE, &xml_body},
};

const struct route *route_find(const char *path)
{
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
        if (strcmp(routes[i].path, path) == 0 ||
            ((routes[i].flags & ROUTE_ANY_CASE) && strcasecmp(routes[i].path, path) == 0))
            return &routes[i];
    return NULL;
}

const char *route_allow(const struct route *r)
{
    if (r->methods & METHOD_BIT(METHOD_POST))
        return (r->methods & METHOD_BIT(METHOD_GET)) ? "GET, HEAD, POST" : "POST";
    return "GET, HEAD";
}
