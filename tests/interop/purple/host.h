/* Shared between host.c (configuration, events) and shims.c (interposed symbols). */
#ifndef RVP_PURPLE_HOST_H
#define RVP_PURPLE_HOST_H

#include <glib.h>

/* --map / --route: connections to from_host (and from_port, unless it is 0) go to to_host:to_port. */
typedef struct {
    char *from_host;
    int from_port;
    char *to_host;
    int to_port;
} HostRoute;

/* --srv DOMAIN=TARGET:PORT: an SRV record answered for _rvp._tcp.DOMAIN. */
typedef struct {
    char *domain;
    char *target;
    unsigned priority;
    unsigned weight;
    unsigned port;
} SrvRecord;

const HostRoute *host_find_route(const char *host, int port);
/* The SRV records for DOMAIN (possibly empty); owned by the host. */
GPtrArray *host_find_srv(const char *domain);
gboolean host_name_exists(const char *name);
/* A line on the host's log (stderr and --debug-file), prefixed "host: ". */
void host_log(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

#endif
