/* foldername.c — typed folder names (see foldername.h). */
#include "foldername.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "buf.h"
#include "mutf7.h"
#include "validate.h"

/* A literal marker "{digits}" or "{digits+}" anywhere in s. */
static int has_literal_marker(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '{')
            continue;
        size_t j = i + 1;
        while (j < len && s[j] >= '0' && s[j] <= '9')
            j++;
        if (j == i + 1)
            continue;
        if (j < len && s[j] == '+')
            j++;
        if (j < len && s[j] == '}')
            return 1;
    }
    return 0;
}

/* A control character: C0, DEL, or C1 (U+0080..U+009F: C2 80..C2 9F). */
static int has_control(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return 1;
        if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 &&
            (unsigned char)s[i + 1] <= 0x9f)
            return 1;
    }
    return 0;
}

int foldername_check_leaf(const char *s, size_t len, char delim, const char **why)
{
    if (len == 0) {
        *why = "Type a name for the folder.";
        return -1;
    }
    if (memchr(s, '\r', len) || memchr(s, '\n', len) || memchr(s, '\0', len)) {
        *why = "A folder name cannot hold a line break or a NUL character.";
        return -1;
    }
    if (has_control(s, len)) {
        *why = "A folder name cannot hold control characters.";
        return -1;
    }
    if (!utf8_valid(s, len)) {
        *why = "This folder name is not valid text (UTF-8).";
        return -1;
    }
    if (has_literal_marker(s, len)) {
        *why = "A folder name cannot hold a number in braces such as {5}: mail servers read it as "
               "the start of a literal.";
        return -1;
    }
    if (delim != 0 && memchr(s, delim, len)) {
        *why = delim == '/' ? "A folder name cannot hold \"/\": it separates a folder from the "
                              "folders inside it. To make a folder inside another, choose it under "
                              "\"Inside\"."
                            : "A folder name cannot hold the mail server's level separator. To make "
                              "a folder inside another, choose it under \"Inside\".";
        return -1;
    }
    if (memchr(s, '*', len) || memchr(s, '%', len)) {
        *why = "A folder name cannot hold \"*\" or \"%\": mail servers use them as wildcards.";
        return -1;
    }
    if (s[0] == ' ' || s[len - 1] == ' ') {
        *why = "A folder name cannot begin or end with a space.";
        return -1;
    }
    if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.')) {
        *why = "\".\" and \"..\" cannot be folder names.";
        return -1;
    }
    if (len > FOLDERNAME_LEAF_MAX) {
        *why = "This folder name is too long (at most 200 bytes; a letter outside ASCII takes 2 to 4).";
        return -1;
    }
    return 0;
}

int foldername_make(struct arena *a, const char *parent, char delim, const char *leaf,
                    size_t leaf_len, const char **name_r, const char **wire_r, const char **why)
{
    if (foldername_check_leaf(leaf, leaf_len, delim, why) < 0)
        return -1;
    bool top = parent == NULL || parent[0] == '\0';
    if (top && leaf_len == 5 && strncasecmp(leaf, "INBOX", 5) == 0) {
        *why = "INBOX is the name of your inbox: choose another name.";
        return -1;
    }
    if (!top && delim == 0) {
        *why = "This mail server has no folders inside folders.";
        return -1;
    }
    struct buf name, wire;
    buf_init(&name);
    buf_init(&wire);
    if (!top) {
        buf_puts(&name, parent);
        buf_putc(&name, delim);
    }
    buf_append(&name, leaf, leaf_len);
    int rc = -1;
    if (utf8_to_mutf7(buf_cstr(&name), name.len, &wire, why) < 0)
        goto out;
    if (wire.len > FOLDERNAME_WIRE_MAX) {
        *why = "The whole name of this folder, with the folders it is inside, is too long.";
        goto out;
    }
    *name_r = arena_strdup(a, buf_cstr(&name));
    *wire_r = arena_strdup(a, buf_cstr(&wire));
    rc = 0;
out:
    buf_free(&name);
    buf_free(&wire);
    return rc;
}

int valid_parent_folder(struct arena *a, const char *raw, size_t len, struct valid_value *out)
{
    if (len == 0)
        return valid_folder_text(a, raw, len, out);
    return valid_folder(a, raw, len, out);
}

int valid_folder_text(struct arena *a, const char *raw, size_t len, struct valid_value *out)
{
    if (len > 4000)
        return 0;
    if (out != NULL) {
        char *s = arena_alloc(a, len + 1);
        memcpy(s, raw, len);
        s[len] = '\0';
        out->str = s;
        out->len = len;
        out->num = 0;
    }
    return 1;
}
