/*
 * What librvp.so needs from its host, and the network fence.
 *
 * librvp is linked BIND_NOW against symbols that only a GTK UI (gtk_events_pending,
 * gtk_main_iteration) or the obsolete libcrypt API (setkey, encrypt) provides, so the host
 * exports them. It also interposes librvp's name lookups (res_search, gethostbyname) and
 * libpurple's purple_proxy_connect, and guards connect/sendto/sendmsg/getaddrinfo, so that
 * no packet and no DNS query leaves the machine: see README.md.
 *
 * Every symbol defined here is exported from the executable (-rdynamic) and therefore
 * interposes the libraries' definitions.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <dlfcn.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <glib.h>
#include <purple.h>

#include "host.h"

/* ---- GTK main loop stand-ins: librvp busy-waits on these during logout ---- */

int gtk_events_pending(void);
int gtk_main_iteration(void);

int gtk_events_pending(void)
{
    return g_main_context_pending(NULL);
}

int gtk_main_iteration(void)
{
    g_main_context_iteration(NULL, TRUE);
    return FALSE;
}

/* ---- DES for NTLM: libcrypt keeps setkey/encrypt only as GLIBC_2.2.5 compat symbols ---- */

void setkey(const char *key);
void encrypt(char *block, int edflag);

static void *libcrypt_symbol(const char *name)
{
    static void *handle;
    void *sym;

    if (handle == NULL)
        handle = dlopen("libcrypt.so.1", RTLD_NOW | RTLD_LOCAL);
    sym = handle ? dlvsym(handle, name, "GLIBC_2.2.5") : NULL;
    if (sym == NULL) {
        fprintf(stderr, "host: libcrypt.so.1 %s@GLIBC_2.2.5 not available\n", name);
        abort();
    }
    return sym;
}

void setkey(const char *key)
{
    static void (*real)(const char *);

    if (real == NULL)
        real = (void (*)(const char *))libcrypt_symbol("setkey");
    real(key);
}

void encrypt(char *block, int edflag)
{
    static void (*real)(char *, int);

    if (real == NULL)
        real = (void (*)(char *, int))libcrypt_symbol("encrypt");
    real(block, edflag);
}

/* ---- helpers ---- */

static gboolean is_loopback_name(const char *host)
{
    struct in_addr a4;
    struct in6_addr a6;

    if (g_ascii_strcasecmp(host, "localhost") == 0)
        return TRUE;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6);
    return FALSE;
}

static gboolean is_numeric(const char *host)
{
    struct in_addr a4;
    struct in6_addr a6;

    return inet_pton(AF_INET, host, &a4) == 1 || inet_pton(AF_INET6, host, &a6) == 1;
}

/* ---- purple_proxy_connect: every connection librvp opens goes through here ---- */

PurpleProxyConnectData *purple_proxy_connect(void *handle, PurpleAccount *account,
                                             const char *host, int port,
                                             PurpleProxyConnectFunction connect_cb,
                                             gpointer data)
{
    static PurpleProxyConnectData *(*real)(void *, PurpleAccount *, const char *, int,
                                           PurpleProxyConnectFunction, gpointer);
    const char *to_host = host;
    int to_port = port;
    const char *why = "loopback";
    const HostRoute *route;

    if (real == NULL)
        real = (PurpleProxyConnectData * (*)(void *, PurpleAccount *, const char *, int,
                                             PurpleProxyConnectFunction, gpointer))
            dlsym(RTLD_NEXT, "purple_proxy_connect");

    route = host_find_route(host, port);
    if (route != NULL) {
        to_host = route->to_host;
        to_port = route->to_port;
        why = "routed";
    } else if (!is_loopback_name(host)) {
        to_host = "127.0.0.1";
        to_port = 9;
        why = "fenced (not routed, not loopback)";
    }
    if (g_ascii_strcasecmp(to_host, "localhost") == 0)
        to_host = "127.0.0.1";
    host_log("connect %s:%d -> %s:%d (%s)", host, port, to_host, to_port, why);
    return real(handle, account, to_host, to_port, connect_cb, data);
}

/* ---- res_search: librvp's SRV lookups (_rvp._tcp.DOMAIN) are answered here ---- */

static int put_name(unsigned char *buf, int len, int pos, const char *name)
{
    const char *p = name;

    while (*p != '\0') {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);

        if (n == 0 || n > 63 || pos + 1 + (int)n >= len)
            return -1;
        buf[pos++] = (unsigned char)n;
        memcpy(buf + pos, p, n);
        pos += (int)n;
        p += n;
        if (*p == '.')
            p++;
    }
    if (pos >= len)
        return -1;
    buf[pos++] = 0;
    return pos;
}

static int put16(unsigned char *buf, int len, int pos, unsigned v)
{
    if (pos + 2 > len)
        return -1;
    buf[pos] = (unsigned char)(v >> 8);
    buf[pos + 1] = (unsigned char)v;
    return pos + 2;
}

int res_search(const char *dname, int class, int type, unsigned char *answer, int anslen)
{
    const char *prefix = "_rvp._tcp.";
    GPtrArray *records = NULL;
    int pos, i;

    if (class == C_IN && type == T_SRV && g_ascii_strncasecmp(dname, prefix, strlen(prefix)) == 0)
        records = host_find_srv(dname + strlen(prefix));
    if (records == NULL || records->len == 0) {
        host_log("res_search %s class %d type %d -> no answer", dname, class, type);
        h_errno = HOST_NOT_FOUND;
        return -1;
    }

    /* header: id 0, QR|AA|RD|RA, one question, N answers */
    pos = 0;
    pos = put16(answer, anslen, pos, 0);
    pos = pos < 0 ? -1 : put16(answer, anslen, pos, 0x8580);
    pos = pos < 0 ? -1 : put16(answer, anslen, pos, 1);
    pos = pos < 0 ? -1 : put16(answer, anslen, pos, records->len);
    pos = pos < 0 ? -1 : put16(answer, anslen, pos, 0);
    pos = pos < 0 ? -1 : put16(answer, anslen, pos, 0);
    pos = pos < 0 ? -1 : put_name(answer, anslen, pos, dname);
    pos = pos < 0 ? -1 : put16(answer, anslen, pos, T_SRV);
    pos = pos < 0 ? -1 : put16(answer, anslen, pos, C_IN);
    for (i = 0; pos >= 0 && i < (int)records->len; i++) {
        const SrvRecord *srv = g_ptr_array_index(records, i);
        int rdlen_at;

        pos = put16(answer, anslen, pos, 0xc00c); /* the question's name */
        pos = pos < 0 ? -1 : put16(answer, anslen, pos, T_SRV);
        pos = pos < 0 ? -1 : put16(answer, anslen, pos, C_IN);
        pos = pos < 0 ? -1 : put16(answer, anslen, pos, 0); /* TTL 60 */
        pos = pos < 0 ? -1 : put16(answer, anslen, pos, 60);
        rdlen_at = pos;
        pos = pos < 0 ? -1 : put16(answer, anslen, pos, 0);
        pos = pos < 0 ? -1 : put16(answer, anslen, pos, srv->priority);
        pos = pos < 0 ? -1 : put16(answer, anslen, pos, srv->weight);
        pos = pos < 0 ? -1 : put16(answer, anslen, pos, srv->port);
        pos = pos < 0 ? -1 : put_name(answer, anslen, pos, srv->target);
        if (pos >= 0)
            put16(answer, anslen, rdlen_at, (unsigned)(pos - rdlen_at - 2));
    }
    if (pos < 0) {
        host_log("res_search %s: answer does not fit %d bytes", dname, anslen);
        h_errno = NO_RECOVERY;
        return -1;
    }
    for (i = 0; i < (int)records->len; i++) {
        const SrvRecord *srv = g_ptr_array_index(records, i);
        host_log("res_search %s -> SRV %u %u %u %s", dname, srv->priority, srv->weight,
                 srv->port, srv->target);
    }
    return pos;
}

/* ---- gethostbyname: librvp's existence check for buddy domains without SRV ---- */

struct hostent *gethostbyname(const char *name)
{
    static struct hostent he;
    static struct in_addr addr;
    static char *addr_list[2];
    static char *aliases[1];
    static char name_buf[256];

    if (name == NULL || !host_name_exists(name)) {
        host_log("gethostbyname %s -> not found", name ? name : "(null)");
        h_errno = HOST_NOT_FOUND;
        return NULL;
    }
    if (inet_pton(AF_INET, name, &addr) != 1)
        addr.s_addr = htonl(INADDR_LOOPBACK);
    g_strlcpy(name_buf, name, sizeof name_buf);
    aliases[0] = NULL;
    addr_list[0] = (char *)&addr;
    addr_list[1] = NULL;
    he.h_name = name_buf;
    he.h_aliases = aliases;
    he.h_addrtype = AF_INET;
    he.h_length = 4;
    he.h_addr_list = addr_list;
    host_log("gethostbyname %s -> %s", name, inet_ntoa(addr));
    return &he;
}

/* ---- the fence: no DNS query, no connection and no datagram to another machine ---- */

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                struct addrinfo **res)
{
    static int (*real)(const char *, const char *, const struct addrinfo *,
                       struct addrinfo **);
    struct addrinfo h;

    if (real == NULL)
        real = (int (*)(const char *, const char *, const struct addrinfo *,
                        struct addrinfo **))dlsym(RTLD_NEXT, "getaddrinfo");
    if (hints != NULL)
        h = *hints;
    else {
        memset(&h, 0, sizeof h);
        h.ai_flags = AI_V4MAPPED | AI_ADDRCONFIG;
    }
    if (node != NULL && g_ascii_strcasecmp(node, "localhost") == 0)
        node = "127.0.0.1";
    if (node != NULL && !is_numeric(node)) {
        host_log("getaddrinfo %s refused (no DNS leaves the host)", node);
        return EAI_NONAME;
    }
    h.ai_flags |= AI_NUMERICHOST;
    return real(node, service, &h, res);
}

static gboolean addr_is_remote(const struct sockaddr *sa, socklen_t len)
{
    if (sa == NULL)
        return FALSE;
    if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        return (ntohl(in->sin_addr.s_addr) >> 24) != 127;
    }
    if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        const uint8_t *b = in6->sin6_addr.s6_addr;
        if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
            return FALSE;
        /* ::ffff:127.x.y.z */
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && b[12] == 127)
            return FALSE;
        return TRUE;
    }
    return FALSE;
}

static void describe(const struct sockaddr *sa, char *out, size_t n)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    int port = 0;

    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
        port = ntohs(in->sin_port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof ip);
        port = ntohs(in6->sin6_port);
    }
    g_snprintf(out, n, "%s port %d", ip, port);
}

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    static int (*real)(int, const struct sockaddr *, socklen_t);
    struct sockaddr_storage fenced;
    char what[80];

    if (real == NULL)
        real = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "connect");
    if (addr_is_remote(addr, len)) {
        describe(addr, what, sizeof what);
        memcpy(&fenced, addr, len < sizeof fenced ? len : sizeof fenced);
        if (addr->sa_family == AF_INET) {
            struct sockaddr_in *in = (struct sockaddr_in *)&fenced;
            in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            in->sin_port = htons(9);
        } else {
            struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&fenced;
            in6->sin6_addr = in6addr_loopback;
            in6->sin6_port = htons(9);
        }
        host_log("connect() to %s fenced to loopback port 9", what);
        return real(fd, (struct sockaddr *)&fenced, len);
    }
    return real(fd, addr, len);
}

ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *addr,
               socklen_t len)
{
    static ssize_t (*real)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
    char what[80];

    if (real == NULL)
        real = (ssize_t(*)(int, const void *, size_t, int, const struct sockaddr *,
                           socklen_t))dlsym(RTLD_NEXT, "sendto");
    if (addr_is_remote(addr, len)) {
        describe(addr, what, sizeof what);
        host_log("sendto() %zu bytes to %s dropped", n, what);
        return (ssize_t)n;
    }
    return real(fd, buf, n, flags, addr, len);
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
    static ssize_t (*real)(int, const struct msghdr *, int);
    char what[80];

    if (real == NULL)
        real = (ssize_t(*)(int, const struct msghdr *, int))dlsym(RTLD_NEXT, "sendmsg");
    if (msg != NULL && addr_is_remote(msg->msg_name, msg->msg_namelen)) {
        size_t total = 0;
        size_t i;

        for (i = 0; i < msg->msg_iovlen; i++)
            total += msg->msg_iov[i].iov_len;
        describe(msg->msg_name, what, sizeof what);
        host_log("sendmsg() %zu bytes to %s dropped", total, what);
        return (ssize_t)total;
    }
    return real(fd, msg, flags);
}
