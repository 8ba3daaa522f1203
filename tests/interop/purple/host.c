/*
 * rvp-purple-host: a headless libpurple host that drives Pidgin's RVP plugin (librvp.so,
 * prpl-rvp) for interoperability tests. Commands are read from stdin, one per line; events
 * are written to stdout, one per line, flushed. libpurple's debug output goes to stderr.
 * The grammar and the options are in README.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gcrypt.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <purple.h>

#include "host.h"

#define UI_ID "rvp-purple-host"
#define EXIT_SETUP 1
#define EXIT_USAGE 2
#define EXIT_DEADLINE 3

/* ------------------------------------------------------------------ configuration */

static struct {
    char *account;
    char *password_env;
    char *route;
    char **maps;
    char **srvs;
    char **exists;
    char *myhost;
    char *auth_host;
    char *auth_domain;
    char *auth_id;
    char *fast_logout;
    int timeout;
    gboolean no_assertions;
    char **options;
    char **prefs;
    char *user_dir;
    char *debug_file;
    gboolean quiet;
    int deadline;
} cfg = {
    .password_env = "RVP_PASSWORD",
    .myhost = "127.0.0.1",
    .timeout = -1,
};

static GPtrArray *routes;       /* HostRoute* */
static GPtrArray *srv_records;  /* SrvRecord* */
static gboolean temp_user_dir;
static FILE *events_out;
static FILE *debug_out;
static PurpleAccount *account;

/* ------------------------------------------------------------------ logging */

static void log_line(const char *line)
{
    if (!cfg.quiet) {
        fputs(line, stderr);
        fputc('\n', stderr);
    }
    if (debug_out != NULL) {
        fputs(line, debug_out);
        fputc('\n', debug_out);
        fflush(debug_out);
    }
}

void host_log(const char *fmt, ...)
{
    va_list ap;
    char *msg, *line;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    line = g_strconcat("host: ", msg, NULL);
    log_line(line);
    g_free(line);
    g_free(msg);
}

static void purple_debug_print(PurpleDebugLevel level, const char *category, const char *arg)
{
    static const char *names[] = {"all", "misc", "info", "warning", "error", "fatal"};
    char *line = g_strdup_printf("purple[%s] %s: %s", names[level <= 5 ? level : 0],
                                 category ? category : "-", arg);
    g_strchomp(line);
    log_line(line);
    g_free(line);
}

static gboolean purple_debug_enabled(PurpleDebugLevel level, const char *category)
{
    (void)level;
    (void)category;
    return !cfg.quiet || debug_out != NULL;
}

static PurpleDebugUiOps debug_ops = {
    .print = purple_debug_print,
    .is_enabled = purple_debug_enabled,
};

static void glib_log(const gchar *domain, GLogLevelFlags level, const gchar *message,
                     gpointer data)
{
    (void)data;
    char *line = g_strdup_printf("glib[%s] %s: %s",
                                 (level & G_LOG_LEVEL_CRITICAL) ? "critical"
                                 : (level & G_LOG_LEVEL_WARNING) ? "warning"
                                                                 : "message",
                                 domain ? domain : "-", message);
    log_line(line);
    g_free(line);
}

static void print_to_log(const gchar *s)
{
    char *line = g_strdup(s);
    g_strchomp(line);
    log_line(line);
    g_free(line);
}

/* ------------------------------------------------------------------ escaping */

/* Output escaping: bytes 0x21..0x7e other than '\' as is, '\' as "\\", every other byte
 * (space, controls, 0x7f, non-ASCII) as "\xHH". The empty string is "-" and the string "-"
 * is "\x2d", so that every field is one non-empty space-free token. */
static void escape_into(GString *out, const char *s, gssize len)
{
    gssize i;

    if (len < 0)
        len = s ? (gssize)strlen(s) : 0;
    if (len == 0) {
        g_string_append_c(out, '-');
        return;
    }
    if (len == 1 && s[0] == '-') {
        g_string_append(out, "\\x2d");
        return;
    }
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\')
            g_string_append(out, "\\\\");
        else if (c > 0x20 && c < 0x7f)
            g_string_append_c(out, (char)c);
        else
            g_string_append_printf(out, "\\x%02x", c);
    }
}

/* Input unescaping: "\\", "\xHH", "\n", "\r", "\t", "\s" (space); other bytes as is. */
static GString *unescape(const char *s, char **error)
{
    GString *out = g_string_new(NULL);

    for (; *s != '\0'; s++) {
        if (*s != '\\') {
            g_string_append_c(out, *s);
            continue;
        }
        s++;
        switch (*s) {
        case '\\': g_string_append_c(out, '\\'); break;
        case 'n': g_string_append_c(out, '\n'); break;
        case 'r': g_string_append_c(out, '\r'); break;
        case 't': g_string_append_c(out, '\t'); break;
        case 's': g_string_append_c(out, ' '); break;
        case 'x':
            if (g_ascii_isxdigit(s[1]) && g_ascii_isxdigit(s[2])) {
                g_string_append_c(out, (char)(g_ascii_xdigit_value(s[1]) * 16 +
                                              g_ascii_xdigit_value(s[2])));
                s += 2;
                break;
            }
            /* fall through */
        default:
            *error = g_strdup("bad escape");
            g_string_free(out, TRUE);
            return NULL;
        }
    }
    return out;
}

/* ------------------------------------------------------------------ events and the script */

static GPtrArray *history;     /* every event line emitted, without "EVENT " */
static guint history_cursor;   /* wait-event looks at history[cursor..] */
static GQueue pending = G_QUEUE_INIT;
static gboolean stdin_eof;
static gboolean in_pump;
static guint pump_source;
static enum { WAIT_NONE, WAIT_MS, WAIT_EVENT } waiting;
static guint wait_timer;
static char *wait_prefix;

static void schedule_pump(void);
static void host_quit(int code) G_GNUC_NORETURN;

static gboolean prefix_matches(const char *line, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(line, prefix, n) == 0 && (line[n] == '\0' || line[n] == ' ');
}

static void end_wait(void)
{
    if (wait_timer != 0)
        g_source_remove(wait_timer);
    wait_timer = 0;
    g_free(wait_prefix);
    wait_prefix = NULL;
    waiting = WAIT_NONE;
    schedule_pump();
}

/* Emits "EVENT NAME FIELD..." with every field escaped; the list of fields ends with NULL. */
static void emit(const char *name, ...)
{
    GString *line = g_string_new(name);
    const char *field;
    va_list ap;

    va_start(ap, name);
    while ((field = va_arg(ap, const char *)) != NULL) {
        g_string_append_c(line, ' ');
        escape_into(line, field, -1);
    }
    va_end(ap);

    fprintf(events_out, "EVENT %s\n", line->str);
    if (fflush(events_out) != 0 || ferror(events_out))
        _exit(EXIT_SETUP);
    host_log("EVENT %s", line->str);
    g_ptr_array_add(history, g_string_free(line, FALSE));

    if (waiting == WAIT_EVENT &&
        prefix_matches(g_ptr_array_index(history, history->len - 1), wait_prefix)) {
        history_cursor = history->len;
        end_wait();
    }
}

static gboolean wait_timed_out(gpointer data)
{
    (void)data;
    wait_timer = 0;
    if (waiting == WAIT_EVENT) {
        char *prefix = g_strdup(wait_prefix);
        waiting = WAIT_NONE; /* the wait-timeout event must not match itself */
        emit("wait-timeout", prefix, NULL);
        g_free(prefix);
    }
    end_wait();
    return G_SOURCE_REMOVE;
}

static gboolean parse_uint(const char *s, guint64 max, guint64 *out)
{
    return g_ascii_string_to_unsigned(s, 10, 0, max, out, NULL);
}

static PurpleConnection *connection_or_error(const char *cmd)
{
    PurpleConnection *gc = purple_account_get_connection(account);

    if (gc == NULL || !purple_account_is_connected(account)) {
        emit("command-error", cmd, "not-connected", NULL);
        return NULL;
    }
    return gc;
}

static PurpleGroup *default_group(void)
{
    PurpleGroup *group = purple_find_group("Buddies");

    if (group == NULL) {
        group = purple_group_new("Buddies");
        purple_blist_add_group(group, NULL);
    }
    return group;
}

static void set_pref(const char *path, const char *value)
{
    switch (purple_prefs_get_type(path)) {
    case PURPLE_PREF_BOOLEAN:
        purple_prefs_set_bool(path, g_ascii_strcasecmp(value, "true") == 0 ||
                                        strcmp(value, "1") == 0);
        break;
    case PURPLE_PREF_INT:
        purple_prefs_set_int(path, atoi(value));
        break;
    case PURPLE_PREF_STRING:
        purple_prefs_set_string(path, value);
        break;
    default:
        emit("command-error", "pref", path, "unknown-pref", NULL);
        return;
    }
    host_log("pref %s = %s", path, value);
}

static void cmd_login(void)
{
    PurpleStatus *status = purple_account_get_active_status(account);

    purple_account_set_enabled(account, UI_ID, TRUE);
    if (!purple_status_is_online(status))
        purple_account_set_status(account, "online", TRUE, NULL); /* connects */
    if (purple_account_is_disconnected(account))
        purple_account_connect(account);
}

/* Runs one script line. */
static void run_command(char *line)
{
    char *rest, *cmd, *arg, *error = NULL;
    GString *text;

    g_strchomp(line);
    if (line[0] == '\0' || line[0] == '#')
        return;
    host_log("command: %s", line);
    cmd = line;
    rest = strchr(line, ' ');
    if (rest != NULL)
        *rest++ = '\0';
    else
        rest = "";

    if (strcmp(cmd, "login") == 0) {
        cmd_login();
    } else if (strcmp(cmd, "logout") == 0) {
        purple_account_set_enabled(account, UI_ID, FALSE);
        if (!purple_account_is_disconnected(account))
            purple_account_disconnect(account);
    } else if (strcmp(cmd, "status") == 0 && rest[0] != '\0') {
        if (purple_account_get_status(account, rest) == NULL)
            emit("command-error", cmd, rest, "unknown-status", NULL);
        else
            purple_account_set_status(account, rest, TRUE, NULL);
    } else if (strcmp(cmd, "add") == 0 && rest[0] != '\0') {
        PurpleBuddy *buddy = purple_find_buddy(account, rest);
        if (buddy == NULL) {
            buddy = purple_buddy_new(account, rest, NULL);
            purple_blist_add_buddy(buddy, NULL, default_group(), NULL);
        }
        purple_account_add_buddy(account, buddy);
    } else if (strcmp(cmd, "remove") == 0 && rest[0] != '\0') {
        PurpleBuddy *buddy = purple_find_buddy(account, rest);
        if (buddy == NULL) {
            emit("command-error", cmd, rest, "not-a-buddy", NULL);
        } else {
            purple_account_remove_buddy(account, buddy, purple_buddy_get_group(buddy));
            purple_blist_remove_buddy(buddy);
        }
    } else if (strcmp(cmd, "block") == 0 && rest[0] != '\0') {
        /* Pidgin's "Block": deny list plus privacy mode; librvp's add_deny edits the ACL. */
        if (connection_or_error(cmd) != NULL)
            purple_privacy_deny(account, rest, FALSE, FALSE);
    } else if (strcmp(cmd, "unblock") == 0 && rest[0] != '\0') {
        if (connection_or_error(cmd) != NULL)
            purple_privacy_allow(account, rest, FALSE, FALSE);
    } else if (strcmp(cmd, "send") == 0 && (arg = strchr(rest, ' ')) != NULL) {
        PurpleConversation *conv;
        *arg++ = '\0';
        if ((text = unescape(arg, &error)) == NULL) {
            emit("command-error", cmd, error, NULL);
            g_free(error);
        } else if (connection_or_error(cmd) != NULL) {
            conv = purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, rest, account);
            if (conv == NULL)
                conv = purple_conversation_new(PURPLE_CONV_TYPE_IM, account, rest);
            /* RAW and NO_LINKIFY: the text reaches librvp's send_im byte for byte. */
            purple_conv_im_send_with_flags(PURPLE_CONV_IM(conv), text->str,
                                           PURPLE_MESSAGE_RAW | PURPLE_MESSAGE_NO_LINKIFY);
        }
        if (text != NULL)
            g_string_free(text, TRUE);
    } else if (strcmp(cmd, "typing") == 0 && rest[0] != '\0') {
        PurpleTypingState state = PURPLE_TYPING;
        PurpleConnection *gc;
        if ((arg = strchr(rest, ' ')) != NULL) {
            *arg++ = '\0';
            state = strcmp(arg, "typed") == 0     ? PURPLE_TYPED
                    : strcmp(arg, "stopped") == 0 ? PURPLE_NOT_TYPING
                                                  : PURPLE_TYPING;
        }
        if ((gc = connection_or_error(cmd)) != NULL)
            serv_send_typing(gc, rest, state);
    } else if (strcmp(cmd, "wait-ms") == 0 && rest[0] != '\0') {
        guint64 ms;
        if (!parse_uint(rest, G_MAXUINT, &ms)) {
            emit("command-error", cmd, rest, NULL);
        } else {
            waiting = WAIT_MS;
            wait_timer = g_timeout_add((guint)ms, wait_timed_out, NULL);
        }
    } else if (strcmp(cmd, "wait-event") == 0 && (arg = strchr(rest, ' ')) != NULL) {
        guint64 ms;
        guint i;
        *arg++ = '\0';
        if (!parse_uint(rest, G_MAXUINT, &ms) || arg[0] == '\0') {
            emit("command-error", cmd, rest, NULL);
            return;
        }
        for (i = history_cursor; i < history->len; i++) {
            if (prefix_matches(g_ptr_array_index(history, i), arg)) {
                history_cursor = i + 1;
                return;
            }
        }
        waiting = WAIT_EVENT;
        wait_prefix = g_strdup(arg);
        wait_timer = g_timeout_add((guint)ms, wait_timed_out, NULL);
    } else if (strcmp(cmd, "echo") == 0) {
        if ((text = unescape(rest, &error)) == NULL) {
            emit("command-error", cmd, error, NULL);
            g_free(error);
        } else {
            emit("echo", text->str, NULL);
            g_string_free(text, TRUE);
        }
    } else if (strcmp(cmd, "get-status") == 0 && rest[0] != '\0') {
        PurpleBuddy *buddy = purple_find_buddy(account, rest);
        const char *id = "unknown";
        if (buddy != NULL) {
            PurplePresence *presence = purple_buddy_get_presence(buddy);
            id = purple_presence_is_online(presence)
                     ? purple_status_get_id(purple_presence_get_active_status(presence))
                     : "offline";
        }
        emit("status-of", rest, id, NULL);
    } else if (strcmp(cmd, "pref") == 0 && (arg = strchr(rest, ' ')) != NULL) {
        *arg++ = '\0';
        set_pref(rest, arg);
    } else if (strcmp(cmd, "quit") == 0) {
        host_quit(0);
    } else {
        emit("command-error", cmd, "unknown-command", NULL);
    }
}

/* Runs queued commands until one waits; at end of input with nothing left, quits. */
static void pump(void)
{
    if (in_pump)
        return; /* re-entered from a nested main loop iteration (librvp's logout wait) */
    in_pump = TRUE;
    while (waiting == WAIT_NONE && !g_queue_is_empty(&pending)) {
        char *line = g_queue_pop_head(&pending);
        run_command(line);
        g_free(line);
    }
    in_pump = FALSE;
    if (waiting == WAIT_NONE && g_queue_is_empty(&pending) && stdin_eof)
        host_quit(0);
}

static gboolean pump_idle(gpointer data)
{
    (void)data;
    pump_source = 0;
    pump();
    return G_SOURCE_REMOVE;
}

static void schedule_pump(void)
{
    if (pump_source == 0)
        pump_source = g_idle_add(pump_idle, NULL);
}

static GString *stdin_buf;

static gboolean stdin_readable(GIOChannel *ch, GIOCondition cond, gpointer data)
{
    char buf[4096];
    ssize_t n;
    char *nl;

    (void)ch;
    (void)cond;
    (void)data;
    n = read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return G_SOURCE_CONTINUE;
    if (n > 0)
        g_string_append_len(stdin_buf, buf, n);
    while ((nl = memchr(stdin_buf->str, '\n', stdin_buf->len)) != NULL) {
        g_queue_push_tail(&pending, g_strndup(stdin_buf->str, nl - stdin_buf->str));
        g_string_erase(stdin_buf, 0, nl - stdin_buf->str + 1);
    }
    if (n <= 0) {
        if (stdin_buf->len > 0)
            g_queue_push_tail(&pending, g_strdup(stdin_buf->str));
        g_string_truncate(stdin_buf, 0);
        stdin_eof = TRUE;
    }
    schedule_pump();
    return n > 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------ libpurple signals */

static const char *reason_name(PurpleConnectionError err)
{
    switch (err) {
    case PURPLE_CONNECTION_ERROR_NETWORK_ERROR: return "network-error";
    case PURPLE_CONNECTION_ERROR_INVALID_USERNAME: return "invalid-username";
    case PURPLE_CONNECTION_ERROR_AUTHENTICATION_FAILED: return "authentication-failed";
    case PURPLE_CONNECTION_ERROR_AUTHENTICATION_IMPOSSIBLE: return "authentication-impossible";
    case PURPLE_CONNECTION_ERROR_NO_SSL_SUPPORT: return "no-ssl-support";
    case PURPLE_CONNECTION_ERROR_ENCRYPTION_ERROR: return "encryption-error";
    case PURPLE_CONNECTION_ERROR_NAME_IN_USE: return "name-in-use";
    case PURPLE_CONNECTION_ERROR_INVALID_SETTINGS: return "invalid-settings";
    case PURPLE_CONNECTION_ERROR_OTHER_ERROR: return "other-error";
    default: return "certificate-error";
    }
}

static void on_signing_on(PurpleConnection *gc) { (void)gc; emit("connecting", NULL); }
static void on_signed_on(PurpleConnection *gc) { (void)gc; emit("signed-on", NULL); }
static void on_signed_off(PurpleConnection *gc) { (void)gc; emit("signed-off", NULL); }

static void on_connection_error(PurpleConnection *gc, PurpleConnectionError err,
                                const gchar *desc)
{
    (void)gc;
    emit("connection-error", reason_name(err), desc, NULL);
}

static GHashTable *last_buddy_state; /* buddy name -> last reported status id */

static void report_buddy(PurpleBuddy *buddy)
{
    PurplePresence *presence = purple_buddy_get_presence(buddy);
    const char *name = purple_buddy_get_name(buddy);
    const char *id = "offline";
    const char *last;

    if (purple_presence_is_online(presence))
        id = purple_status_get_id(purple_presence_get_active_status(presence));
    last = g_hash_table_lookup(last_buddy_state, name);
    if (last != NULL && strcmp(last, id) == 0)
        return;
    g_hash_table_insert(last_buddy_state, g_strdup(name), g_strdup(id));
    emit("buddy-status", name, id, NULL);
}

static void on_buddy_status_changed(PurpleBuddy *buddy, PurpleStatus *o, PurpleStatus *n)
{
    (void)o;
    (void)n;
    report_buddy(buddy);
}

static void on_buddy_signed(PurpleBuddy *buddy) { report_buddy(buddy); }

static void on_buddy_added(PurpleBuddy *buddy)
{
    emit("buddy-added", purple_buddy_get_name(buddy), NULL);
}

static void on_buddy_removed(PurpleBuddy *buddy)
{
    g_hash_table_remove(last_buddy_state, purple_buddy_get_name(buddy));
    emit("buddy-removed", purple_buddy_get_name(buddy), NULL);
}

static void on_received_im(PurpleAccount *acct, char *sender, char *message,
                           PurpleConversation *conv, PurpleMessageFlags flags)
{
    (void)acct;
    (void)conv;
    (void)flags;
    emit("im-received", sender, message, NULL);
}

static void on_sent_im(PurpleAccount *acct, const char *receiver, const char *message)
{
    (void)acct;
    emit("im-sent", receiver, message, NULL);
}

static void on_typing(PurpleAccount *acct, const char *name) { (void)acct; emit("typing", name, NULL); }
static void on_typed(PurpleAccount *acct, const char *name) { (void)acct; emit("typed", name, NULL); }
static void on_typing_stopped(PurpleAccount *acct, const char *name)
{
    (void)acct;
    emit("typing-stopped", name, NULL);
}

static void connect_signals(void)
{
    static int handle;
    void *conns = purple_connections_get_handle();
    void *blist = purple_blist_get_handle();
    void *convs = purple_conversations_get_handle();

    purple_signal_connect(conns, "signing-on", &handle, PURPLE_CALLBACK(on_signing_on), NULL);
    purple_signal_connect(conns, "signed-on", &handle, PURPLE_CALLBACK(on_signed_on), NULL);
    purple_signal_connect(conns, "signed-off", &handle, PURPLE_CALLBACK(on_signed_off), NULL);
    purple_signal_connect(conns, "connection-error", &handle,
                          PURPLE_CALLBACK(on_connection_error), NULL);
    purple_signal_connect(blist, "buddy-status-changed", &handle,
                          PURPLE_CALLBACK(on_buddy_status_changed), NULL);
    purple_signal_connect(blist, "buddy-signed-on", &handle, PURPLE_CALLBACK(on_buddy_signed),
                          NULL);
    purple_signal_connect(blist, "buddy-signed-off", &handle, PURPLE_CALLBACK(on_buddy_signed),
                          NULL);
    purple_signal_connect(blist, "buddy-added", &handle, PURPLE_CALLBACK(on_buddy_added), NULL);
    purple_signal_connect(blist, "buddy-removed", &handle, PURPLE_CALLBACK(on_buddy_removed),
                          NULL);
    purple_signal_connect(convs, "received-im-msg", &handle, PURPLE_CALLBACK(on_received_im),
                          NULL);
    purple_signal_connect(convs, "sent-im-msg", &handle, PURPLE_CALLBACK(on_sent_im), NULL);
    purple_signal_connect(convs, "buddy-typing", &handle, PURPLE_CALLBACK(on_typing), NULL);
    purple_signal_connect(convs, "buddy-typed", &handle, PURPLE_CALLBACK(on_typed), NULL);
    purple_signal_connect(convs, "buddy-typing-stopped", &handle,
                          PURPLE_CALLBACK(on_typing_stopped), NULL);
}

/* ------------------------------------------------------------------ UI ops */

static void write_conv(PurpleConversation *conv, const char *name, const char *alias,
                       const char *message, PurpleMessageFlags flags, time_t mtime)
{
    (void)name;
    (void)alias;
    (void)mtime;
    if (flags & (PURPLE_MESSAGE_SEND | PURPLE_MESSAGE_RECV))
        return; /* reported by received-im-msg / sent-im-msg */
    emit(message && strstr(message, "could not be delivered") ? "undelivered" : "system",
         purple_conversation_get_name(conv), message, NULL);
}

static PurpleConversationUiOps conv_ops = {.write_conv = write_conv};

static void *notify_message(PurpleNotifyMsgType type, const char *title, const char *primary,
                            const char *secondary)
{
    emit("notify",
         type == PURPLE_NOTIFY_MSG_ERROR     ? "error"
         : type == PURPLE_NOTIFY_MSG_WARNING ? "warning"
                                             : "info",
         title, primary, secondary, NULL);
    return NULL;
}

static void *notify_formatted(const char *title, const char *primary, const char *secondary,
                              const char *text)
{
    emit("notify", "formatted", title, primary, secondary, text, NULL);
    return NULL;
}

static PurpleNotifyUiOps notify_ops = {
    .notify_message = notify_message,
    .notify_formatted = notify_formatted,
};

static void *request_input(const char *title, const char *primary, const char *secondary,
                           const char *default_value, gboolean multiline, gboolean masked,
                           gchar *hint, const char *ok_text, GCallback ok_cb,
                           const char *cancel_text, GCallback cancel_cb, PurpleAccount *acct,
                           const char *who, PurpleConversation *conv, void *user_data)
{
    (void)default_value, (void)multiline, (void)masked, (void)hint, (void)ok_text;
    (void)ok_cb, (void)cancel_text, (void)cancel_cb, (void)acct, (void)who, (void)conv;
    (void)user_data;
    emit("request", "input", title, primary, secondary, NULL);
    return NULL;
}

static void *request_action(const char *title, const char *primary, const char *secondary,
                            int default_action, PurpleAccount *acct, const char *who,
                            PurpleConversation *conv, void *user_data, size_t action_count,
                            va_list actions)
{
    (void)default_action, (void)acct, (void)who, (void)conv, (void)user_data;
    (void)action_count, (void)actions;
    emit("request", "action", title, primary, secondary, NULL);
    return NULL;
}

static void *request_fields(const char *title, const char *primary, const char *secondary,
                            PurpleRequestFields *fields, const char *ok_text, GCallback ok_cb,
                            const char *cancel_text, GCallback cancel_cb, PurpleAccount *acct,
                            const char *who, PurpleConversation *conv, void *user_data)
{
    (void)fields, (void)ok_text, (void)ok_cb, (void)cancel_text, (void)cancel_cb;
    (void)acct, (void)who, (void)conv, (void)user_data;
    emit("request", "fields", title, primary, secondary, NULL);
    return NULL;
}

static void *request_file(const char *title, const char *filename, gboolean savedialog,
                          GCallback ok_cb, GCallback cancel_cb, PurpleAccount *acct,
                          const char *who, PurpleConversation *conv, void *user_data)
{
    (void)filename, (void)savedialog, (void)ok_cb, (void)cancel_cb, (void)acct;
    (void)conv, (void)user_data;
    emit("request", "file", title, who, NULL);
    return NULL;
}

static PurpleRequestUiOps request_ops = {
    .request_input = request_input,
    .request_action = request_action,
    .request_fields = request_fields,
    .request_file = request_file,
};

/* The GLib event loop for libpurple (as in libpurple's nullclient example). */
typedef struct {
    PurpleInputFunction function;
    guint result;
    gpointer data;
} IoClosure;

static gboolean io_invoke(GIOChannel *source, GIOCondition condition, gpointer data)
{
    IoClosure *closure = data;
    PurpleInputCondition cond = 0;

    if (condition & (G_IO_IN | G_IO_HUP | G_IO_ERR | G_IO_PRI))
        cond |= PURPLE_INPUT_READ;
    if (condition & (G_IO_OUT | G_IO_HUP | G_IO_ERR | G_IO_NVAL))
        cond |= PURPLE_INPUT_WRITE;
    closure->function(closure->data, g_io_channel_unix_get_fd(source), cond);
    return TRUE;
}

static guint input_add(gint fd, PurpleInputCondition condition, PurpleInputFunction function,
                       gpointer data)
{
    IoClosure *closure = g_new0(IoClosure, 1);
    GIOChannel *channel;
    GIOCondition cond = 0;

    closure->function = function;
    closure->data = data;
    if (condition & PURPLE_INPUT_READ)
        cond |= G_IO_IN | G_IO_HUP | G_IO_ERR | G_IO_PRI;
    if (condition & PURPLE_INPUT_WRITE)
        cond |= G_IO_OUT | G_IO_HUP | G_IO_ERR | G_IO_NVAL;
    channel = g_io_channel_unix_new(fd);
    closure->result = g_io_add_watch_full(channel, G_PRIORITY_DEFAULT, cond, io_invoke,
                                          closure, g_free);
    g_io_channel_unref(channel);
    return closure->result;
}

static PurpleEventLoopUiOps eventloop_ops = {
    .timeout_add = g_timeout_add,
    .timeout_remove = g_source_remove,
    .input_add = input_add,
    .input_remove = g_source_remove,
    .timeout_add_seconds = g_timeout_add_seconds,
};

static void ui_init(void)
{
    purple_conversations_set_ui_ops(&conv_ops);
    purple_notify_set_ui_ops(&notify_ops);
    purple_request_set_ui_ops(&request_ops);
}

static PurpleCoreUiOps core_ops = {.ui_init = ui_init};

/* ------------------------------------------------------------------ routing tables */

const HostRoute *host_find_route(const char *host, int port)
{
    guint i;

    for (i = 0; routes != NULL && i < routes->len; i++) {
        const HostRoute *r = g_ptr_array_index(routes, i);
        if (g_ascii_strcasecmp(r->from_host, host) == 0 &&
            (r->from_port == 0 || r->from_port == port))
            return r;
    }
    return NULL;
}

GPtrArray *host_find_srv(const char *domain)
{
    static GPtrArray *found;
    guint i;

    if (found == NULL)
        found = g_ptr_array_new();
    g_ptr_array_set_size(found, 0);
    for (i = 0; srv_records != NULL && i < srv_records->len; i++) {
        SrvRecord *s = g_ptr_array_index(srv_records, i);
        if (g_ascii_strcasecmp(s->domain, domain) == 0)
            g_ptr_array_add(found, s);
    }
    return found;
}

gboolean host_name_exists(const char *name)
{
    char **e;

    if (cfg.exists == NULL || g_ascii_strcasecmp(name, "localhost") == 0)
        return TRUE;
    for (e = cfg.exists; *e != NULL; e++)
        if (g_ascii_strcasecmp(*e, name) == 0)
            return TRUE;
    return g_hostname_is_ip_address(name);
}

/* "HOST:PORT" -> host, port; FALSE when malformed. */
static gboolean split_host_port(const char *s, char **host, int *port)
{
    const char *colon = strrchr(s, ':');
    guint64 p;

    if (colon == NULL || colon == s || !parse_uint(colon + 1, 65535, &p) || p == 0)
        return FALSE;
    *host = g_strndup(s, colon - s);
    *port = (int)p;
    return TRUE;
}

static void usage_error(const char *what, const char *value)
{
    fprintf(stderr, "rvp-purple-host: bad %s: %s (see --help)\n", what, value ? value : "");
    exit(EXIT_USAGE);
}

static void build_tables(const char *domain)
{
    char **m;

    routes = g_ptr_array_new();
    srv_records = g_ptr_array_new();
    for (m = cfg.maps; m != NULL && *m != NULL; m++) {
        HostRoute *r = g_new0(HostRoute, 1);
        char *eq = strchr(*m, '=');
        char *from;
        if (eq == NULL || !split_host_port(eq + 1, &r->to_host, &r->to_port))
            usage_error("--map", *m);
        from = g_strndup(*m, eq - *m);
        if (!split_host_port(from, &r->from_host, &r->from_port)) {
            r->from_host = g_strdup(from);
            r->from_port = 0;
        }
        g_free(from);
        g_ptr_array_add(routes, r);
    }
    if (cfg.route != NULL) {
        HostRoute *r = g_new0(HostRoute, 1);
        if (!split_host_port(cfg.route, &r->to_host, &r->to_port))
            usage_error("--route", cfg.route);
        r->from_host = g_strdup(domain);
        r->from_port = 80;
        g_ptr_array_add(routes, r);
    }
    for (m = cfg.srvs; m != NULL && *m != NULL; m++) {
        SrvRecord *s = g_new0(SrvRecord, 1);
        char *eq = strchr(*m, '=');
        int port;
        if (eq == NULL || !split_host_port(eq + 1, &s->target, &port))
            usage_error("--srv", *m);
        s->domain = g_strndup(*m, eq - *m);
        s->port = (unsigned)port;
        g_ptr_array_add(srv_records, s);
    }
}

/* ------------------------------------------------------------------ setup and exit */

static void remove_tree(const char *path)
{
    GDir *dir = g_dir_open(path, 0, NULL);
    const char *name;

    if (dir != NULL) {
        while ((name = g_dir_read_name(dir)) != NULL) {
            char *child = g_build_filename(path, name, NULL);
            if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
                !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
                remove_tree(child);
            else
                g_unlink(child);
            g_free(child);
        }
        g_dir_close(dir);
    }
    g_rmdir(path);
}

static void host_quit(int code)
{
    emit("exit", code == 0 ? "0" : code == EXIT_DEADLINE ? "3" : "1", NULL);
    if (temp_user_dir && cfg.user_dir != NULL)
        remove_tree(cfg.user_dir);
    if (debug_out != NULL)
        fflush(debug_out);
    fflush(stderr);
    /* No purple_core_quit: it would sign the account off, which is `logout`'s job. */
    _exit(code);
}

static gboolean deadline_hit(gpointer data)
{
    (void)data;
    host_log("deadline of %d s reached", cfg.deadline);
    host_quit(EXIT_DEADLINE);
}

/* Prefs that keep libpurple itself off the network (UPnP, NAT-PMP, STUN), written before
 * purple_core_init so they hold while the network subsystem starts. */
static void write_prefs_xml(const char *dir)
{
    static const char xml[] =
        "<?xml version='1.0' encoding='UTF-8' ?>\n"
        "<pref version='1' name='/'>\n"
        " <pref name='purple'>\n"
        "  <pref name='network'>\n"
        "   <pref name='map_ports' type='bool' value='0'/>\n"
        "   <pref name='auto_ip' type='bool' value='0'/>\n"
        "   <pref name='public_ip' type='string' value=''/>\n"
        "   <pref name='stun_server' type='string' value=''/>\n"
        "   <pref name='turn_server' type='string' value=''/>\n"
        "  </pref>\n"
        "  <pref name='proxy'>\n"
        "   <pref name='type' type='string' value='none'/>\n"
        "  </pref>\n"
        "  <pref name='logging'>\n"
        "   <pref name='log_ims' type='bool' value='0'/>\n"
        "   <pref name='log_chats' type='bool' value='0'/>\n"
        "   <pref name='log_system' type='bool' value='0'/>\n"
        "  </pref>\n"
        " </pref>\n"
        "</pref>\n";
    char *path = g_build_filename(dir, "prefs.xml", NULL);

    if (!g_file_test(path, G_FILE_TEST_EXISTS) &&
        !g_file_set_contents(path, xml, -1, NULL)) {
        fprintf(stderr, "rvp-purple-host: cannot write %s\n", path);
        exit(EXIT_SETUP);
    }
    g_free(path);
}

static void apply_account_option(const char *kv)
{
    const char *eq = strchr(kv, '=');
    char *key;
    const char *value;
    guint64 n;

    if (eq == NULL)
        usage_error("--option", kv);
    key = g_strndup(kv, eq - kv);
    value = eq + 1;
    if (strcmp(value, "true") == 0 || strcmp(value, "false") == 0)
        purple_account_set_bool(account, key, strcmp(value, "true") == 0);
    else if (value[0] != '\0' && parse_uint(value, G_MAXINT, &n))
        purple_account_set_int(account, key, (int)n);
    else
        purple_account_set_string(account, key, value);
    host_log("account option %s = %s", key, value);
    g_free(key);
}

static void setup_account(void)
{
    const char *password = getenv(cfg.password_env);
    PurpleProxyInfo *proxy = purple_proxy_info_new();
    char **o;

    account = purple_account_new(cfg.account, "prpl-rvp");
    purple_proxy_info_set_type(proxy, PURPLE_PROXY_NONE);
    purple_account_set_proxy_info(account, proxy);
    if (password != NULL) {
        purple_account_set_password(account, password);
        purple_account_set_remember_password(account, TRUE);
    }
    purple_account_set_string(account, "myhost", cfg.myhost);
    if (cfg.auth_host)
        purple_account_set_string(account, "host", cfg.auth_host);
    if (cfg.auth_domain)
        purple_account_set_string(account, "domain", cfg.auth_domain);
    if (cfg.auth_id)
        purple_account_set_string(account, "id", cfg.auth_id);
    if (cfg.timeout >= 0) {
        purple_account_set_int(account, "timeout", cfg.timeout);
        purple_prefs_set_int("/plugins/prpl/rvp/timeout", cfg.timeout);
    }
    if (cfg.fast_logout != NULL) {
        gboolean v = strcmp(cfg.fast_logout, "true") == 0;
        if (!v && strcmp(cfg.fast_logout, "false") != 0)
            usage_error("--fast-logout", cfg.fast_logout);
        purple_prefs_set_bool("/plugins/prpl/rvp/fast_logout", v);
        purple_account_set_bool(account, "fast_logout", v);
    }
    if (cfg.no_assertions) {
        purple_prefs_set_bool("/plugins/prpl/rvp/no_assertions", TRUE);
        purple_account_set_bool(account, "no_assertions", TRUE);
    }
    for (o = cfg.options; o != NULL && *o != NULL; o++)
        apply_account_option(*o);
    for (o = cfg.prefs; o != NULL && *o != NULL; o++) {
        const char *eq = strchr(*o, '=');
        char *path;
        if (eq == NULL)
            usage_error("--pref", *o);
        path = g_strndup(*o, eq - *o);
        set_pref(path, eq + 1);
        g_free(path);
    }
    purple_accounts_add(account);
    purple_account_set_enabled(account, UI_ID, FALSE);
}

static void parse_args(int argc, char **argv)
{
    GOptionEntry entries[] = {
        {"account", 0, 0, G_OPTION_ARG_STRING, &cfg.account, "Account (required)", "USER@DOMAIN"},
        {"password-env", 0, 0, G_OPTION_ARG_STRING, &cfg.password_env,
         "Environment variable holding the password (default RVP_PASSWORD)", "NAME"},
        {"route", 0, 0, G_OPTION_ARG_STRING, &cfg.route,
         "Send connections to DOMAIN:80 to HOST:PORT", "HOST:PORT"},
        {"map", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cfg.maps,
         "Send connections to NAME (any port) or NAME:PORT to HOST:PORT (repeatable)",
         "NAME[:PORT]=HOST:PORT"},
        {"srv", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cfg.srvs,
         "Answer the SRV query _rvp._tcp.DOMAIN with TARGET:PORT (repeatable)",
         "DOMAIN=TARGET:PORT"},
        {"exists", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cfg.exists,
         "Only these names (and localhost, IP addresses) resolve in gethostbyname; "
         "without --exists every name does (repeatable)",
         "NAME"},
        {"myhost", 0, 0, G_OPTION_ARG_STRING, &cfg.myhost,
         "Account option myhost, the Call-Back host (default 127.0.0.1)", "ADDR"},
        {"auth-host", 0, 0, G_OPTION_ARG_STRING, &cfg.auth_host, "Account option host", "HOST"},
        {"auth-domain", 0, 0, G_OPTION_ARG_STRING, &cfg.auth_domain,
         "Account option domain (NTLM needs it)", "DOMAIN"},
        {"auth-id", 0, 0, G_OPTION_ARG_STRING, &cfg.auth_id, "Account option id", "ID"},
        {"fast-logout", 0, 0, G_OPTION_ARG_STRING, &cfg.fast_logout,
         "Pref /plugins/prpl/rvp/fast_logout (and the account option)", "true|false"},
        {"timeout", 0, 0, G_OPTION_ARG_INT, &cfg.timeout,
         "Pref /plugins/prpl/rvp/timeout (and the account option)", "SECONDS"},
        {"no-assertions", 0, 0, G_OPTION_ARG_NONE, &cfg.no_assertions,
         "Pref and account option no_assertions", NULL},
        {"option", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cfg.options,
         "Any account option (true/false: bool, digits: int, else string; repeatable)",
         "KEY=VALUE"},
        {"pref", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cfg.prefs,
         "Any existing libpurple pref, set after the plugin is loaded (repeatable)",
         "PATH=VALUE"},
        {"user-dir", 0, 0, G_OPTION_ARG_FILENAME, &cfg.user_dir,
         "libpurple user dir, kept (default: a temporary dir, removed at exit)", "DIR"},
        {"debug-file", 0, 0, G_OPTION_ARG_FILENAME, &cfg.debug_file,
         "Also write the debug log to FILE", "FILE"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &cfg.quiet, "No debug log on stderr", NULL},
        {"deadline", 0, 0, G_OPTION_ARG_INT, &cfg.deadline,
         "Exit with status 3 after SECONDS (0: never)", "SECONDS"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *ctx = g_option_context_new("- drive librvp (prpl-rvp) headless");
    GError *err = NULL;

    g_option_context_set_summary(ctx, "Commands on stdin, events on stdout: see README.md.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "rvp-purple-host: %s\n", err->message);
        exit(EXIT_USAGE);
    }
    g_option_context_free(ctx);
    if (cfg.account == NULL || strchr(cfg.account, '@') == NULL)
        usage_error("--account", cfg.account);
    if (argc > 1)
        usage_error("argument", argv[1]);
}

int main(int argc, char **argv)
{
    int events_fd;
    GMainLoop *loop;
    GIOChannel *in;

    parse_args(argc, argv);

    /* stdout is for events only: librvp puts() and libpurple g_print() go to stderr. */
    events_fd = dup(STDOUT_FILENO);
    if (events_fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0 ||
        (events_out = fdopen(events_fd, "w")) == NULL) {
        perror("rvp-purple-host: stdout");
        return EXIT_SETUP;
    }
    fcntl(events_fd, F_SETFD, FD_CLOEXEC);
    if (cfg.debug_file != NULL && (debug_out = fopen(cfg.debug_file, "w")) == NULL) {
        perror(cfg.debug_file);
        return EXIT_USAGE;
    }
    g_set_print_handler(print_to_log);
    g_set_printerr_handler(print_to_log);
    g_log_set_default_handler(glib_log, NULL);

    /* A peer closing a socket must not kill the host (Pidgin ignores SIGPIPE too). Crashes
     * (SIGSEGV, SIGABRT) keep their default action, so the test sees the signal. */
    signal(SIGPIPE, SIG_IGN);
    /* No D-Bus: no session bus registration, no NetworkManager state, no autolaunch. */
    g_setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/rvp-purple-host", TRUE);
    g_setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/rvp-purple-host", TRUE);
    g_unsetenv("DBUS_STARTER_ADDRESS");
    g_unsetenv("DISPLAY");

    if (!gcry_check_version(NULL)) {
        fprintf(stderr, "rvp-purple-host: libgcrypt initialisation failed\n");
        return EXIT_SETUP;
    }
    gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);

    if (cfg.user_dir == NULL) {
        cfg.user_dir = g_dir_make_tmp("rvp-purple-XXXXXX", NULL);
        temp_user_dir = TRUE;
    }
    if (cfg.user_dir == NULL || g_mkdir_with_parents(cfg.user_dir, 0700) != 0) {
        fprintf(stderr, "rvp-purple-host: cannot create the user dir\n");
        return EXIT_SETUP;
    }
    write_prefs_xml(cfg.user_dir);
    build_tables(strchr(cfg.account, '@') + 1);
    history = g_ptr_array_new();
    last_buddy_state = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    stdin_buf = g_string_new(NULL);

    loop = g_main_loop_new(NULL, FALSE);
    purple_util_set_user_dir(cfg.user_dir);
    purple_debug_set_enabled(FALSE); /* its own printer writes to stdout */
    purple_debug_set_ui_ops(&debug_ops);
    purple_core_set_ui_ops(&core_ops);
    purple_eventloop_set_ui_ops(&eventloop_ops);
    if (!purple_core_init(UI_ID)) {
        fprintf(stderr, "rvp-purple-host: purple_core_init failed\n");
        host_quit(EXIT_SETUP);
    }
    purple_network_force_online();
    purple_set_blist(purple_blist_new());
    purple_blist_load();
    if (purple_find_prpl("prpl-rvp") == NULL) {
        emit("fatal", "prpl-rvp-not-found", NULL);
        host_quit(EXIT_SETUP);
    }
    connect_signals();
    setup_account();

    in = g_io_channel_unix_new(STDIN_FILENO);
    g_io_add_watch(in, G_IO_IN | G_IO_HUP | G_IO_ERR, stdin_readable, NULL);
    if (cfg.deadline > 0)
        g_timeout_add_seconds((guint)cfg.deadline, deadline_hit, NULL);

    emit("ready", cfg.account, NULL);
    g_main_loop_run(loop);
    return 0;
}
