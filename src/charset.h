/* charset.h — text in a named charset to valid UTF-8, for display.
 *
 * Mail declares its charset in a label ("iso-8859-1", "ks_c_5601-1987",
 * "x-unknown", none at all) that is often wrong. These functions never
 * fail: whatever the label and the bytes, the output is valid UTF-8
 * (shortest form, no surrogates, nothing above U+10FFFF) with no NUL, and
 * what could not be decoded is shown as U+FFFD.
 *
 * Labels are matched ASCII case-insensitively with "-", "_", ".", ":" and
 * spaces ignored ("ISO_8859-1" = "iso88591"), against a fixed table of
 * known charsets and aliases; other labels are unknown. As browsers do,
 * iso-8859-1/latin1 is read as windows-1252, gb2312/gbk as GB18030,
 * ks_c_5601-1987/euc-kr as CP949, shift_jis as CP932, iso-2022-jp as
 * ISO-2022-JP-3 (it adds half-width katakana), iso-8859-8-i as
 * ISO-8859-8. utf-7 is the mail charset of RFC 2152, not IMAP's.
 *
 * Unknown labels (also "x-unknown", "unknown-8bit", "" and NULL), and
 * "us-ascii" on text that is not 7-bit, are guessed: UTF-8 if the bytes
 * are valid UTF-8, else windows-1252; 7-bit text with ISO-2022-JP escape
 * sequences is read as ISO-2022-JP. So 8-bit text is never thrown away
 * as replacement characters only because its label lied.
 *
 * UTF-8, US-ASCII and windows-1252 are decoded here; the other charsets
 * go through glibc iconv, whose converters are kept open per thread (a
 * few at a time) and closed when the thread exits. All functions are
 * thread-safe. If iconv cannot open a known charset (no gconv modules in
 * a chroot), the text is guessed as for an unknown label.
 *
 * Output is appended to a caller-owned struct buf (buf.h); at most cap
 * bytes are appended, cut at a character boundary.
 */
#ifndef POSTERN_CHARSET_H
#define POSTERN_CHARSET_H

#include <stddef.h>

struct buf;

/* Flags returned by the conversion functions (0: clean and complete). */
#define CHARSET_REPLACED  0x1u  /* invalid input became U+FFFD, or NULs were dropped */
#define CHARSET_TRUNCATED 0x2u  /* the output reached cap; the rest is missing */
#define CHARSET_GUESSED   0x4u  /* the label was unknown or unusable, or said
                                   us-ascii over 8-bit text: the charset was guessed */

/* Longest label looked up (after trimming); longer ones are unknown. */
#define CHARSET_LABEL_MAX 40

/* Converts in[0..n) (any bytes) from the charset named label (NUL-
 * terminated, may be NULL) to UTF-8 and appends at most cap bytes of it to
 * out. Invalid or unmappable input becomes U+FFFD (one per bad byte or
 * sequence), NUL characters are dropped. Returns CHARSET_* flags. */
unsigned charset_to_utf8(const char *label, const char *in, size_t n, size_t cap,
                         struct buf *out);

/* Appends in[0..n), meant to be UTF-8, to out (at most cap bytes): each
 * maximal invalid subsequence (Unicode §3.9: overlongs, surrogates, bytes
 * above U+10FFFF, truncated or stray bytes) becomes one U+FFFD and NULs
 * are dropped. Returns CHARSET_REPLACED and/or CHARSET_TRUNCATED. */
unsigned charset_sanitize_utf8(const char *in, size_t n, size_t cap, struct buf *out);

/* 1 if label names a charset this module decodes without guessing (a
 * known label, and its converter can be opened), else 0. */
int charset_is_known(const char *label);

/* Closes the calling thread's cached converters now (they are otherwise
 * closed at thread exit; the main thread should call this before exit if
 * it converted anything, for leak checkers). Conversions may follow. */
void charset_thread_release(void);

#endif
