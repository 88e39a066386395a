/* qr.c — see qr.h. */
#include "qr.h"

#include <pthread.h>
#include <string.h>

#include <qrencode.h>

#include "xmlwrite.h"

#define QUIET 4

int qr_svg(const char *text, const char *label, struct buf *out)
{
    size_t n = strlen(text);
    if (n == 0 || n > QR_TEXT_MAX)
        return -1;
    /* libqrencode fills its Reed-Solomon tables on first use and guards
     * that with a mutex only when built with pthread support: encode one
     * at a time (a page's QR code is made once per cached page). */
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&lock);
    QRcode *q = QRcode_encodeData((int)n, (const unsigned char *)text, 0, QR_ECLEVEL_M);
    pthread_mutex_unlock(&lock);
    if (q == NULL)
        return -1;
    int w = q->width, size = w + 2 * QUIET;
    buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" viewBox=\"0 0 %d %d\" "
               "shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"", size, size);
    xml_escape(out, label, strlen(label));
    buf_printf(out, "\"><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"", size, size);
    for (int y = 0; y < w; y++) {
        const unsigned char *row = q->data + (size_t)y * (size_t)w;
        for (int x = 0; x < w;) {
            if (!(row[x] & 1)) {
                x++;
                continue;
            }
            int run = 1;
            while (x + run < w && (row[x + run] & 1))
                run++;
            buf_printf(out, "M%d %dh%dv1h-%dz", x + QUIET, y + QUIET, run, run);
            x += run;
        }
    }
    buf_puts(out, "\"/></svg>");
    QRcode_free(q);
    return 0;
}
