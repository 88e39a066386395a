/* qr.h — QR codes (libqrencode) drawn as inline SVG for a page.
 *
 * The SVG is one <path> of dark modules (each row's runs merged) on a
 * light background with the 4-module quiet zone the standard asks for;
 * no script, no style attribute, no external reference, so it is safe to
 * put into a page as trusted HTML under a strict Content-Security-Policy.
 */
#ifndef POSTERN_QR_H
#define POSTERN_QR_H

#include "buf.h"

#define QR_TEXT_MAX 1024

/* Appends to out an <svg> element showing text (1..QR_TEXT_MAX bytes,
 * encoded as 8-bit bytes, error correction level M) with class "qr" and
 * aria-label label (escaped). Returns 0, or -1 (out untouched) if text is
 * empty, too long or cannot be encoded. Thread-safe. */
int qr_svg(const char *text, const char *label, struct buf *out);

#endif
