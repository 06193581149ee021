/*
 * Helpers shared by the C tests: configuring fake devices, opening streams,
 * picking tracks, reading small JSON fields, waiting for asynchronous events.
 */
#ifndef LMS_TEST_HELPERS_H
#define LMS_TEST_HELPERS_H

#include "harness.h"

/*
 * Portability: the tests are C99 plus POSIX threads and clocks (pthread
 * create/join, mutexes and barriers; clock_gettime(CLOCK_MONOTONIC),
 * nanosleep), and nothing else of POSIX (no fork, signals, setenv, paths).
 * On Windows they build with mingw-w64 and -pthread: its winpthreads library
 * has all of these (scripts/test-windows-c links it statically), and its
 * CLOCK_MONOTONIC is QueryPerformanceCounter, the clock the library stamps
 * frames with there. MSVC has no pthreads.
 */
#if defined(_WIN32) && !defined(__MINGW32__)
#error "the C tests need POSIX threads: on Windows build them with mingw-w64 and -pthread (winpthreads)"
#endif

#include <ctype.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "localmediastream.h"

/* Fake devices that produce frames as fast as they are read. */
#define CONFIG_UNPACED \
    "{\"backends\": [\"fake\"], \"fake\": {\"pacing\": \"none\", \"video\": 2, \"audio\": 1}, \"queueSize\": 4}"
/* Fake devices paced like a real camera and microphone. */
#define CONFIG_REALTIME \
    "{\"backends\": [\"fake\"], \"fake\": {\"pacing\": \"realtime\", \"video\": 2, \"audio\": 1}, \"queueSize\": 4}"

/* A handle id no registry hands out. */
#define FORGED_ID UINT64_C(0x7ead0000beef1234)

/* CHECK_STATUS(call, expected): the status, with its name and the last error on failure. */
#define CHECK_STATUS(call, expected)                                              \
    do {                                                                          \
        lms_status got_ = (call), want_ = (expected);                             \
        CHECK_MSG(got_ == want_, "%s returned %s (%d), wanted %s: %s", #call,     \
                  lms_status_name(got_), (int)got_, lms_status_name(want_),       \
                  lms_last_error_message());                                      \
    } while (0)

#define CHECK_OK(call) CHECK_STATUS(call, LMS_OK)

/* Whether tests run under valgrind (run.sh sets LMS_TEST_VALGRIND=1): do less. */
static inline bool under_valgrind(void) {
    const char *v = getenv("LMS_TEST_VALGRIND");
    return v != NULL && *v != '\0' && strcmp(v, "0") != 0;
}

/* n, or a third of n (at least 1) under valgrind. */
static inline int scaled(int n) {
    if (!under_valgrind()) {
        return n;
    }
    return n / 3 > 0 ? n / 3 : 1;
}

/* Microseconds on CLOCK_MONOTONIC: the clock of lms_frame.timestamp_us. */
static inline long long now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static inline long long now_ms(void) {
    return now_us() / 1000;
}

static inline void sleep_ms(int ms) {
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

/* Milliseconds to wait for something asynchronous: long, as WAIT_UNTIL returns
 * as soon as it happens; only a failing test waits it out. */
static inline int patience_ms(void) {
    return 30000;
}

/* WAIT_UNTIL(cond, ms): poll cond every few milliseconds until true or ms passed. */
#define WAIT_UNTIL(cond, ms)                                                      \
    do {                                                                          \
        long long until_ = now_ms() + (ms);                                       \
        while (!(cond) && now_ms() < until_) {                                    \
            sleep_ms(5);                                                          \
        }                                                                         \
    } while (0)

static inline void configure(const char *config_json) {
    CHECK_OK(lms_configure(config_json));
}

/* Opens a stream; returns {0} (and fails the test) when lms_open fails. */
static inline lms_stream open_stream(const char *constraints_json) {
    lms_stream s = {0};
    lms_status st = lms_open(constraints_json, &s);
    CHECK_MSG(st == LMS_OK, "lms_open(%s): %s: %s", constraints_json, lms_status_name(st),
              lms_last_error_message());
    return st == LMS_OK ? s : (lms_stream){0};
}

/* Number of tracks of a stream (kind < 0: all kinds). */
static inline size_t count_tracks(lms_stream s, int kind) {
    lms_track tracks[16];
    size_t n = 0, i, matching = 0;
    if (lms_stream_tracks(s, tracks, 16, &n) != LMS_OK) {
        CHECK_MSG(0, "lms_stream_tracks: %s", lms_last_error_message());
        return 0;
    }
    for (i = 0; i < n && i < 16; i++) {
        lms_track_kind k;
        if (lms_track_kind_of(tracks[i], &k) == LMS_OK && (kind < 0 || (int)k == kind)) {
            matching++;
        }
        lms_track_free(tracks[i]);
    }
    return matching;
}

/* A new handle to the first track of the given kind (free it), or {0}. */
static inline lms_track first_track(lms_stream s, lms_track_kind kind) {
    lms_track tracks[16], found = {0};
    size_t n = 0, i;
    if (lms_stream_tracks(s, tracks, 16, &n) != LMS_OK) {
        CHECK_MSG(0, "lms_stream_tracks: %s", lms_last_error_message());
        return found;
    }
    for (i = 0; i < n && i < 16; i++) {
        lms_track_kind k;
        if (found.id == 0 && lms_track_kind_of(tracks[i], &k) == LMS_OK && k == kind) {
            found = tracks[i];
        } else {
            lms_track_free(tracks[i]);
        }
    }
    CHECK_MSG(found.id != 0, "no %s track in the stream", kind == LMS_TRACK_KIND_VIDEO ? "video" : "audio");
    return found;
}

/* Opens a stream with one track and returns a handle to that track; the stream is freed. */
static inline lms_track open_track(const char *constraints_json, lms_track_kind kind) {
    lms_stream s = open_stream(constraints_json);
    lms_track t = {0};
    if (s.id != 0) {
        t = first_track(s, kind);
        CHECK_OK(lms_stream_free(s));
    }
    return t;
}

/* ---- strings handed out by the library ---- */

/* Copies a library string into buf (size bytes) and frees it. */
static inline void take_string(char *s, char *buf, size_t size) {
    if (size > 0) {
        snprintf(buf, size, "%s", s != NULL ? s : "");
    }
    lms_string_free(s);
}

static inline void track_id(lms_track t, char *buf, size_t size) {
    char *s = NULL;
    CHECK_OK(lms_track_id(t, &s));
    take_string(s, buf, size);
}

static inline void stream_id(lms_stream st, char *buf, size_t size) {
    char *s = NULL;
    CHECK_OK(lms_stream_id(st, &s));
    take_string(s, buf, size);
}

/* Settings JSON of a track into buf. */
static inline void track_settings(lms_track t, char *buf, size_t size) {
    char *s = NULL;
    CHECK_OK(lms_track_settings(t, &s));
    take_string(s, buf, size);
}

static inline lms_ready_state ready_state(lms_track t) {
    lms_ready_state r = (lms_ready_state)77;
    CHECK_OK(lms_track_ready_state(t, &r));
    return r;
}

static inline bool stream_active(lms_stream s) {
    bool a = false;
    CHECK_OK(lms_stream_active(s, &a));
    return a;
}

/* Opens and closes of a fake device so far. */
static inline void device_usage(const char *device_id, uint64_t *opens, uint64_t *closes) {
    CHECK_OK(lms_fake_device_usage(device_id, opens, closes));
}

static inline bool device_is_open(const char *device_id) {
    uint64_t opens = 0, closes = 0;
    device_usage(device_id, &opens, &closes);
    return opens > closes;
}

/* Whether s looks like a UUID: 36 characters, 8-4-4-4-12 hex digits. */
static inline bool is_uuid(const char *s) {
    size_t i;
    if (strlen(s) != 36) {
        return false;
    }
    for (i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') {
                return false;
            }
        } else if (!isxdigit((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

/* ---- tiny JSON readers (enough for the library's flat documents) ---- */

/* The first character of the value of "key" in json, or NULL. */
static inline const char *json_value(const char *json, const char *key) {
    char needle[128];
    const char *p = json;
    snprintf(needle, sizeof needle, "\"%s\"", key);
    while ((p = strstr(p, needle)) != NULL) {
        const char *q = p + strlen(needle);
        while (isspace((unsigned char)*q)) {
            q++;
        }
        if (*q == ':') {
            q++;
            while (isspace((unsigned char)*q)) {
                q++;
            }
            return q;
        }
        p = q; /* the key appeared as a value: keep looking */
    }
    return NULL;
}

/* Reads "key": <integer> (no fraction, no exponent). */
static inline bool json_int(const char *json, const char *key, long long *out) {
    const char *v = json_value(json, key);
    char *end;
    long long n;
    if (v == NULL || !(isdigit((unsigned char)*v) || *v == '-')) {
        return false;
    }
    n = strtoll(v, &end, 10);
    if (end == v || *end == '.' || *end == 'e' || *end == 'E') {
        return false;
    }
    *out = n;
    return true;
}

/* Reads "key": <number>. */
static inline bool json_number(const char *json, const char *key, double *out) {
    const char *v = json_value(json, key);
    char *end;
    double d;
    if (v == NULL) {
        return false;
    }
    d = strtod(v, &end);
    if (end == v) {
        return false;
    }
    *out = d;
    return true;
}

/* Reads "key": "string" (no escapes) into buf. */
static inline bool json_string(const char *json, const char *key, char *buf, size_t size) {
    const char *v = json_value(json, key);
    const char *end;
    size_t n;
    if (v == NULL || *v != '"') {
        return false;
    }
    v++;
    end = strchr(v, '"');
    if (end == NULL) {
        return false;
    }
    n = (size_t)(end - v);
    if (n + 1 > size) {
        return false;
    }
    memcpy(buf, v, n);
    buf[n] = '\0';
    return true;
}

/* Reads "key": true/false. */
static inline bool json_bool(const char *json, const char *key, bool *out) {
    const char *v = json_value(json, key);
    if (v != NULL && strncmp(v, "true", 4) == 0) {
        *out = true;
        return true;
    }
    if (v != NULL && strncmp(v, "false", 5) == 0) {
        *out = false;
        return true;
    }
    return false;
}

/* Reads "key": {"min": a, "max": b} (members in any order). */
static inline bool json_range(const char *json, const char *key, double *min, double *max) {
    const char *v = json_value(json, key);
    const char *close;
    char object[256];
    size_t n;
    if (v == NULL || *v != '{' || (close = strchr(v, '}')) == NULL) {
        return false;
    }
    n = (size_t)(close - v + 1);
    if (n >= sizeof object) {
        return false;
    }
    memcpy(object, v, n);
    object[n] = '\0';
    return json_number(object, "min", min) && json_number(object, "max", max);
}

/* Copies the innermost {...} around the first occurrence of needle into buf. */
static inline bool json_object_around(const char *json, const char *needle, char *buf, size_t size) {
    const char *at = strstr(json, needle), *open, *close;
    size_t n;
    if (at == NULL) {
        return false;
    }
    for (open = at; open > json && *open != '{'; open--) {
    }
    close = strchr(at, '}');
    if (*open != '{' || close == NULL) {
        return false;
    }
    n = (size_t)(close - open + 1);
    if (n + 1 > size) {
        return false;
    }
    memcpy(buf, open, n);
    buf[n] = '\0';
    return true;
}

/* How often needle occurs in s. */
static inline int count_occurrences(const char *s, const char *needle) {
    int n = 0;
    const char *p = s;
    while ((p = strstr(p, needle)) != NULL) {
        n++;
        p += strlen(needle);
    }
    return n;
}

static inline long long settings_int(lms_track t, const char *key) {
    char json[2048];
    long long v = -1;
    track_settings(t, json, sizeof json);
    CHECK_MSG(json_int(json, key, &v), "settings have no integer %s: %s", key, json);
    return v;
}

/* ---- events, recorded from the library's threads ---- */

typedef struct event_log {
    pthread_mutex_t lock;
    int counts[4]; /* by lms_event */
    char last_detail[256];
    int off_main_thread; /* events delivered on a thread other than the test's */
    pthread_t test_thread;
} event_log;

static inline void event_log_init(event_log *log) {
    memset(log, 0, sizeof *log);
    pthread_mutex_init(&log->lock, NULL);
    log->test_thread = pthread_self();
}

static inline void event_log_destroy(event_log *log) {
    pthread_mutex_destroy(&log->lock);
}

/* An lms_event_callback: user_data is an event_log. */
static inline void record_event(void *user_data, lms_event event, const char *detail) {
    event_log *log = (event_log *)user_data;
    pthread_mutex_lock(&log->lock);
    if ((int)event >= 0 && (int)event < 4) {
        log->counts[event]++;
    }
    snprintf(log->last_detail, sizeof log->last_detail, "%s", detail != NULL ? detail : "(null)");
    if (!pthread_equal(pthread_self(), log->test_thread)) {
        log->off_main_thread++;
    }
    pthread_mutex_unlock(&log->lock);
}

static inline int event_count(event_log *log, lms_event event) {
    int n;
    pthread_mutex_lock(&log->lock);
    n = log->counts[event];
    pthread_mutex_unlock(&log->lock);
    return n;
}

/* ---- frames ---- */

/* Reads one frame, waiting up to the patience; fails the test when none comes. */
static inline bool read_frame(lms_track t, lms_frame *f) {
    lms_status st = lms_track_read_frame(t, patience_ms(), f);
    CHECK_MSG(st == LMS_OK, "lms_track_read_frame: %s: %s", lms_status_name(st), lms_last_error_message());
    return st == LMS_OK;
}

/* Whether every visible byte of a plane equals value (rows of row_bytes, stride apart). */
static inline bool plane_all(const lms_frame *f, int plane, size_t row_bytes, size_t rows, uint8_t value) {
    size_t r, c;
    for (r = 0; r < rows; r++) {
        const uint8_t *row = f->planes[plane] + r * f->strides[plane];
        for (c = 0; c < row_bytes; c++) {
            if (row[c] != value) {
                return false;
            }
        }
    }
    return true;
}

/* Whether an I420 picture is black: Y = 16, U = V = 128. */
static inline bool i420_is_black(const lms_frame *f) {
    size_t cw = (f->width + 1) / 2, ch = (f->height + 1) / 2;
    return f->plane_count == 3 && plane_all(f, 0, f->width, f->height, 16) &&
           plane_all(f, 1, cw, ch, 128) && plane_all(f, 2, cw, ch, 128);
}

/* Whether every byte of an audio chunk's samples is zero. */
static inline bool audio_is_silent(const lms_frame *f) {
    size_t i;
    for (i = 0; i < f->plane_sizes[0]; i++) {
        if (f->planes[0][i] != 0) {
            return false;
        }
    }
    return true;
}

/* Sum of every visible byte of every plane: touches all of a frame's memory. */
static inline unsigned long long frame_checksum(const lms_frame *f) {
    unsigned long long sum = 0;
    uint32_t p;
    size_t i;
    for (p = 0; p < f->plane_count && p < 4; p++) {
        for (i = 0; i < f->plane_sizes[p]; i++) {
            sum += f->planes[p][i];
        }
    }
    return sum;
}

/* After every test: no fake device is left open (a leaked track handle would keep
 * one open). Devices the current configuration lacks are skipped. */
static inline void every_device_closed(void) {
    static const char *ids[] = {"fake:video:0", "fake:video:1", "fake:audio:0"};
    size_t i;
    for (i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        uint64_t opens = 0, closes = 0;
        if (lms_fake_device_usage(ids[i], &opens, &closes) == LMS_OK) {
            CHECK_MSG(opens == closes, "%s left open after the test: opened %llu, closed %llu", ids[i],
                      (unsigned long long)opens, (unsigned long long)closes);
        }
    }
}

/* RUN_TESTS(cases): run a static array of harness_case, checking devices after each. */
#define RUN_TESTS(cases) harness_run(cases, sizeof cases / sizeof cases[0], every_device_closed)

#endif /* LMS_TEST_HELPERS_H */
