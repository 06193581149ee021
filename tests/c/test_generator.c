/*
 * Track generators (VideoTrackGenerator): lms_generator_new, _track, _write,
 * _write_frame, _set_muted, _muted, _close, _closed, _free. Pictures written
 * come back byte-exact from the track and its clones; camera frames pass on
 * without a copy; constraints, mute, close and stopping every track; every
 * bad argument and handle is refused with the right status and a message
 * naming it.
 */
#include "lms_test.h"

#define SENTINEL_STRING ((char *)&sentinel_byte)
static char sentinel_byte;

/* ---- pictures ---- */

/* The visible row length and row count of each plane of a picture, as the
 * library lays them out (lms_generator_write's documentation). */
typedef struct layout {
    size_t count;
    size_t row[4];
    size_t rows[4];
} layout;

static layout layout_of(lms_pixel_format format, uint32_t w, uint32_t h) {
    layout l;
    size_t cw = (w + 1) / 2, ch = (h + 1) / 2;
    memset(&l, 0, sizeof l);
    l.count = 1;
    l.rows[0] = h;
    switch (format) {
    case LMS_PIXEL_FORMAT_I420:
        l.count = 3;
        l.row[0] = w;
        l.row[1] = l.row[2] = cw;
        l.rows[1] = l.rows[2] = ch;
        break;
    case LMS_PIXEL_FORMAT_NV12:
        l.count = 2;
        l.row[0] = w;
        l.row[1] = cw * 2;
        l.rows[1] = ch;
        break;
    case LMS_PIXEL_FORMAT_YUY2:
        l.row[0] = cw * 4;
        break;
    case LMS_PIXEL_FORMAT_RGB24:
    case LMS_PIXEL_FORMAT_BGR24:
        l.row[0] = (size_t)w * 3;
        break;
    default: /* RGBA, BGRA */
        l.row[0] = (size_t)w * 4;
        break;
    }
    return l;
}

/* The byte at (plane, x, y) of picture number n. */
static uint8_t pixel(size_t plane, size_t x, size_t y, unsigned n) {
    return (uint8_t)(x ^ (y * 3) ^ n ^ (plane * 85));
}

/* A picture held by the test, each plane's rows `pad` bytes longer than the
 * row (the padding filled with 0xEE, which must never show). */
typedef struct picture {
    lms_pixel_format format;
    uint32_t width, height;
    layout l;
    uint8_t *data[4];
    const uint8_t *planes[4];
    size_t strides[4];
} picture;

static void picture_make(picture *p, lms_pixel_format format, uint32_t w, uint32_t h, unsigned n, size_t pad) {
    size_t i, x, y;
    memset(p, 0, sizeof *p);
    p->format = format;
    p->width = w;
    p->height = h;
    p->l = layout_of(format, w, h);
    for (i = 0; i < p->l.count; i++) {
        size_t stride = p->l.row[i] + pad;
        /* Exactly the bytes the library may read: no padding after the last row. */
        size_t size = stride * (p->l.rows[i] - 1) + p->l.row[i];
        p->data[i] = (uint8_t *)malloc(size);
        memset(p->data[i], 0xEE, size);
        for (y = 0; y < p->l.rows[i]; y++) {
            for (x = 0; x < p->l.row[i]; x++) {
                p->data[i][y * stride + x] = pixel(i, x, y, n);
            }
        }
        p->planes[i] = p->data[i];
        p->strides[i] = stride;
    }
}

static void picture_free(picture *p) {
    size_t i;
    for (i = 0; i < 4; i++) {
        free(p->data[i]);
    }
}

static lms_status write_picture(lms_generator g, const picture *p, int64_t timestamp_us) {
    return lms_generator_write(g, p->format, p->width, p->height, timestamp_us, p->planes, p->strides, p->l.count);
}

/* Writes picture n of the given format and size (rows padded by pad bytes). */
static lms_status write_new(lms_generator g, lms_pixel_format format, uint32_t w, uint32_t h, unsigned n, size_t pad,
                            int64_t timestamp_us) {
    picture p;
    lms_status st;
    picture_make(&p, format, w, h, n, pad);
    st = write_picture(g, &p, timestamp_us);
    picture_free(&p);
    return st;
}

/* Whether a frame holds picture n of this format and size, byte for byte. */
static bool frame_is_picture(const lms_frame *f, lms_pixel_format format, uint32_t w, uint32_t h, unsigned n) {
    layout l = layout_of(format, w, h);
    size_t i, x, y;
    if (f->kind != LMS_TRACK_KIND_VIDEO || f->pixel_format != format || f->width != w || f->height != h ||
        f->plane_count != l.count) {
        fprintf(stderr, "    frame is %ux%u format %d with %u planes\n", (unsigned)f->width, (unsigned)f->height,
                (int)f->pixel_format, (unsigned)f->plane_count);
        return false;
    }
    for (i = 0; i < l.count; i++) {
        if (f->strides[i] < l.row[i] || f->plane_sizes[i] < (size_t)f->strides[i] * (l.rows[i] - 1) + l.row[i]) {
            fprintf(stderr, "    plane %u: stride %u, %zu bytes\n", (unsigned)i, (unsigned)f->strides[i],
                    f->plane_sizes[i]);
            return false;
        }
        for (y = 0; y < l.rows[i]; y++) {
            for (x = 0; x < l.row[i]; x++) {
                uint8_t got = f->planes[i][y * f->strides[i] + x];
                if (got != pixel(i, x, y, n)) {
                    fprintf(stderr, "    plane %u (%u, %u): %02x, wanted %02x\n", (unsigned)i, (unsigned)x,
                            (unsigned)y, got, pixel(i, x, y, n));
                    return false;
                }
            }
        }
    }
    return true;
}

/* ---- helpers ---- */

static lms_generator new_generator(void) {
    lms_generator g = {0};
    CHECK_OK(lms_generator_new(&g));
    CHECK(g.id != 0);
    return g;
}

static lms_track generator_track(lms_generator g) {
    lms_track t = {0};
    CHECK_OK(lms_generator_track(g, &t));
    return t;
}

static lms_track clone_of(lms_track t) {
    lms_track c = {0};
    CHECK_OK(lms_track_clone(t, &c));
    return c;
}

static bool generator_muted(lms_generator g) {
    bool b = false;
    CHECK_OK(lms_generator_muted(g, &b));
    return b;
}

static bool generator_closed(lms_generator g) {
    bool b = false;
    CHECK_OK(lms_generator_closed(g, &b));
    return b;
}

static bool track_muted(lms_track t) {
    bool b = false;
    CHECK_OK(lms_track_muted(t, &b));
    return b;
}

static void settings_format(lms_track t, char *buf, size_t size) {
    char json[2048];
    track_settings(t, json, sizeof json);
    buf[0] = '\0';
    CHECK_MSG(json_string(json, "pixelFormat", buf, size), "no pixelFormat in %s", json);
}

/* Whether the last error's message contains s (printed when it does not). */
static bool message_names(const char *s) {
    const char *m = lms_last_error_message();
    if (strstr(m, s) != NULL) {
        return true;
    }
    fprintf(stderr, "    the message \"%s\" does not name \"%s\"\n", m, s);
    return false;
}

/* CHECK_ERROR(call, status, name): the call fails with status and a message naming name. */
#define CHECK_ERROR(call, status, name)                                                         \
    do {                                                                                        \
        CHECK_STATUS(call, status);                                                             \
        CHECK_MSG(message_names(name), "%s: message names %s", #call, name);                   \
    } while (0)

static bool nothing_queued(lms_track t) {
    lms_frame f;
    lms_status st = lms_track_read_frame(t, 0, &f);
    if (st == LMS_OK) {
        lms_frame_release(&f);
    }
    return st == LMS_ERR_TIMEOUT;
}

/* ---- writing pictures ---- */

/* A new generator's track is a live video track with no size yet. */
static void a_new_generator_has_a_live_video_track_with_no_size(void) {
    lms_generator g;
    lms_track t;
    lms_track_kind kind = LMS_TRACK_KIND_AUDIO;
    char json[2048];
    configure(CONFIG_UNPACED);
    g = new_generator();
    t = generator_track(g);
    CHECK_OK(lms_track_kind_of(t, &kind));
    CHECK(kind == LMS_TRACK_KIND_VIDEO);
    CHECK(ready_state(t) == LMS_READY_STATE_LIVE);
    CHECK(!generator_muted(g));
    CHECK(!generator_closed(g));
    CHECK(!track_muted(t));
    CHECK_INT_EQ(settings_int(t, "width"), 0);
    CHECK_INT_EQ(settings_int(t, "height"), 0);
    CHECK(nothing_queued(t));
    /* Its device is no device of the list. */
    {
        char *list = NULL;
        char id[64] = "";
        track_settings(t, json, sizeof json);
        CHECK_MSG(json_string(json, "deviceId", id, sizeof id), "%s", json);
        CHECK_OK(lms_enumerate_devices(&list));
        CHECK_MSG(list != NULL && id[0] != '\0' && strstr(list, id) == NULL, "%s in %s", id, list ? list : "");
        lms_string_free(list);
    }
    CHECK_OK(lms_track_free(t));
    CHECK_OK(lms_generator_free(g));
}

/* I420 planes with padded strides come back packed and byte-exact, with the
 * written timestamp, from the track and from a clone. */
static void i420_planes_come_back_byte_exact_from_the_track_and_a_clone(void) {
    lms_generator g;
    lms_track t, c;
    lms_frame f;
    unsigned n;
    int rounds = scaled(6);
    char format[16];
    configure(CONFIG_UNPACED);
    g = new_generator();
    t = generator_track(g);
    c = clone_of(t);
    for (n = 0; n < (unsigned)rounds; n++) {
        int64_t ts = 1000000 + 33333 * (int64_t)n;
        CHECK_OK(write_new(g, LMS_PIXEL_FORMAT_I420, 64, 48, n, 7 + n, ts));
        if (read_frame(t, &f)) {
            CHECK_MSG(frame_is_picture(&f, LMS_PIXEL_FORMAT_I420, 64, 48, n), "track, picture %u", n);
            CHECK_INT_EQ(f.timestamp_us, ts);
            CHECK_INT_EQ(f.sequence, n);
            /* Packed: the padding is gone. */
            CHECK_INT_EQ(f.strides[0], 64);
            CHECK_INT_EQ(f.strides[1], 32);
            CHECK_OK(lms_frame_release(&f));
        }
        if (read_frame(c, &f)) {
            CHECK_MSG(frame_is_picture(&f, LMS_PIXEL_FORMAT_I420, 64, 48, n), "clone, picture %u", n);
            CHECK_INT_EQ(f.timestamp_us, ts);
            CHECK_INT_EQ(f.sequence, n);
            CHECK_OK(lms_frame_release(&f));
        }
    }
    CHECK_INT_EQ(settings_int(t, "width"), 64);
    CHECK_INT_EQ(settings_int(t, "height"), 48);
    settings_format(t, format, sizeof format);
    CHECK_STR_EQ(format, "I420");
    CHECK_INT_EQ(settings_int(c, "width"), 64);
    CHECK_OK(lms_track_free(c));
    CHECK_OK(lms_track_free(t));
    CHECK_OK(lms_generator_free(g));
}

/* Every raw format, at an odd size and with padding, comes back byte-exact to
 * a track that asks for that format; a track that asks for no pixelFormat
 * gets the frames as written (a camera's tracks get I420). The settings
 * follow each change. */
static void every_raw_format_comes_back_byte_exact(void) {
    static const lms_pixel_format formats[] = {
        LMS_PIXEL_FORMAT_I420,  LMS_PIXEL_FORMAT_NV12, LMS_PIXEL_FORMAT_YUY2, LMS_PIXEL_FORMAT_RGB24,
        LMS_PIXEL_FORMAT_BGR24, LMS_PIXEL_FORMAT_RGBA, LMS_PIXEL_FORMAT_BGRA,
    };
    static const char *names[] = {"I420", "NV12", "YUY2", "RGB24", "BGR24", "RGBA", "BGRA"};
    lms_generator g;
    lms_track t, u, v;
    lms_frame f;
    size_t i;
    char format[16], constraints[64];
    configure(CONFIG_UNPACED);
    g = new_generator();
    t = generator_track(g);
    u = clone_of(t); /* asks for I420: converted */
    v = clone_of(t); /* asks for nothing: the frames' own format */
    CHECK_OK(lms_track_apply_constraints(u, "{\"pixelFormat\": \"I420\"}"));
    for (i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        uint32_t w = 7 + 2 * (uint32_t)i, h = 5 + (uint32_t)i;
        snprintf(constraints, sizeof constraints, "{\"pixelFormat\": {\"exact\": \"%s\"}}", names[i]);
        CHECK_OK(lms_track_apply_constraints(t, constraints));
        CHECK_OK(write_new(g, formats[i], w, h, (unsigned)i, 3, (int64_t)i));
        if (read_frame(t, &f)) {
            CHECK_MSG(frame_is_picture(&f, formats[i], w, h, (unsigned)i), "%s %ux%u", names[i], (unsigned)w,
                      (unsigned)h);
            CHECK_INT_EQ(f.timestamp_us, (int64_t)i);
            CHECK_OK(lms_frame_release(&f));
        }
        CHECK_INT_EQ(settings_int(t, "width"), w);
        CHECK_INT_EQ(settings_int(t, "height"), h);
        settings_format(t, format, sizeof format);
        CHECK_STR_EQ(format, names[i]);
        if (read_frame(u, &f)) {
            CHECK(f.pixel_format == LMS_PIXEL_FORMAT_I420);
            CHECK_INT_EQ(f.width, w);
            CHECK_INT_EQ(f.height, h);
            CHECK_INT_EQ(f.timestamp_us, (int64_t)i);
            if (formats[i] == LMS_PIXEL_FORMAT_I420) {
                CHECK(frame_is_picture(&f, LMS_PIXEL_FORMAT_I420, w, h, (unsigned)i));
            }
            CHECK_OK(lms_frame_release(&f));
        }
        settings_format(u, format, sizeof format);
        CHECK_STR_EQ(format, "I420");
        CHECK_INT_EQ(settings_int(u, "width"), w);
        if (read_frame(v, &f)) {
            CHECK_MSG(frame_is_picture(&f, formats[i], w, h, (unsigned)i), "unconstrained %s", names[i]);
            CHECK_OK(lms_frame_release(&f));
        }
        settings_format(v, format, sizeof format);
        CHECK_STR_EQ(format, names[i]);
    }
    /* Tight strides (no padding) work too. */
    CHECK_OK(write_new(g, LMS_PIXEL_FORMAT_BGRA, 8, 8, 9, 0, -5));
    if (read_frame(t, &f)) {
        CHECK(frame_is_picture(&f, LMS_PIXEL_FORMAT_BGRA, 8, 8, 9));
        CHECK_INT_EQ(f.timestamp_us, -5);
        CHECK_OK(lms_frame_release(&f));
    }
    CHECK_OK(lms_track_free(v));
    CHECK_OK(lms_track_free(u));
    CHECK_OK(lms_track_free(t));
    CHECK_OK(lms_generator_free(g));
}

/* A written frame belongs to the library: the caller may reuse its memory at once. */
static void the_callers_memory_is_copied_once_and_not_kept(void) {
    lms_generator g;
    lms_track t;
    lms_frame f;
    picture p;
    configure(CONFIG_UNPACED);
    g = new_generator();
    t = generator_track(g);
    picture_make(&p, LMS_PIXEL_FORMAT_I420, 16, 16, 1, 5);
    CHECK_OK(write_picture(g, &p, 10));
    memset(p.data[0], 0, p.strides[0] * 15 + 16);
    picture_free(&p); /* valgrind would see a later read */
    if (read_frame(t, &f)) {
        CHECK(frame_is_picture(&f, LMS_PIXEL_FORMAT_I420, 16, 16, 1));
        CHECK_OK(lms_frame_release(&f));
    }
    CHECK_OK(lms_track_free(t));
    CHECK_OK(lms_generator_free(g));
}

/* The tracks hold the configuration's queueSize frames; a full queue drops its oldest. */
static void the_queue_size_comes_from_the_configuration(void) {
    lms_generator g;
    lms_track t;
    lms_frame f;
    lms_track_stats stats;
    unsigned n;
    configure("{\"backends\": [\"fake\"], \"fake\": {\"pacing\": \"none\"}, \"queueSize\": 2}");
    g = new_generator();
    t = generator_track(g);
    for (n = 0; n < 5; n++) {
        CHECK_OK(write_new(g, LMS_PIXEL_FORMAT_I420, 4, 4, n, 0, (int64_t)n));
    }
    /* Writing never waited for a reader: the last two frames are queued. */
    if (read_frame(t, &f)) {
        CHECK_INT_EQ(f.sequence, 3);
        CHECK(frame_is_picture(&f, LMS_PIXEL_FORMAT_I420, 4, 4, 3));
        CHECK_OK(lms_frame_release(&f));
    }
    if (read_frame(t, &f)) {
        CHECK_INT_EQ(f.sequence, 4);
        CHECK_OK(lms_frame_release(&f));
    }
    CHECK(nothing_queued(t));
    CHECK_OK(lms_track_stats_get(t, &stats));
    CHECK_INT_EQ(stats.frames_dropped, 3);
    CHECK_INT_EQ(stats.frames_delivered, 2);
    CHECK_OK(lms_track_free(t));
    CHECK_OK(lms_generator_free(g));
    configure(CONFIG_UNPACED);
}

/* ---- passing frames on ---- */

/* A camera frame passes through without a copy and keeps its sequence code. */
static void a_camera_frame_passes_on_without_a_copy(void) {
    lms_generator g;
    lms_track cam, out;
    lms_frame f, back;
    int i;
    configure(CONFIG_UNPACED);
    cam = open_track("{\"video\": {\"width\": 320, \"height\": 240}}", LMS_TRACK_KIND_VIDEO);
    g = new_generator();
    out = generator_track(g);
    for (i = 0; i < scaled(4); i++) {
        uint64_t code = 0, code_back = 1;
        if (!read_frame(cam, &f)) {
            break;
        }
        CHECK_OK(lms_frame_decode_sequence(&f, &code));
        CHECK_OK(lms_generator_write_frame(g, &f));
        if (read_frame(out, &back)) {
            CHECK_OK(lms_frame_decode_sequence(&back, &code_back));
            CHECK_INT_EQ(code_back, code);
            CHECK_INT_EQ(back.sequence, i);
            CHECK_INT_EQ(back.timestamp_us, f.timestamp_us);
            CHECK_INT_EQ(back.width, 320);
            CHECK_INT_EQ(back.height, 240);
            CHECK(back.pixel_format == f.pixel_format);
            CHECK_MSG(back.planes[0] == f.planes[0], "the same buffer, not a copy");
            CHECK(back.handle != f.handle);
            CHECK_OK(lms_frame_release(&back));
        }
        /* The caller still owns its frame. */
        CHECK_OK(lms_frame_release(&f));
    }
    CHECK_OK(lms_track_stop(cam));
    CHECK_OK(lms_track_free(cam));
    CHECK_OK(lms_track_free(out));
    CHECK_OK(lms_generator_free(g));
}

typedef struct relay {
    lms_generator g;
    int written;
    int failed;
} relay;

/* A frame callback writing every camera frame to a generator: the lent frame is passed on. */
static void relay_frame(void *user_data, const lms_frame *frame) {
    relay *r = (relay *)user_data;
    if (lms_generator_write_frame(r->g, frame) == LMS_OK) {
        __atomic_fetch_add(&r->written, 1, __ATOMIC_SEQ_CST);
    } else {
        __atomic_fetch_add(&r->failed, 1, __ATOMIC_SEQ_CST);
    }
}

static void a_frame_callback_may_pass_its_frames_on(void) {
    static relay r;
    lms_track cam, out;
    lms_frame f;
    int i;
    configure(CONFIG_REALTIME);
    memset(&r, 0, sizeof r);
    cam = open_track("{\"video\": {\"width\": 160, \"height\": 120}}", LMS_TRACK_KIND_VIDEO);
    r.g = new_generator();
    out = generator_track(r.g);
    CHECK_OK(lms_track_set_frame_callback(cam, relay_frame, &r));
    for (i = 0; i < scaled(3); i++) {
        uint64_t code = 0;
        if (read_frame(out, &f)) {
            CHECK_OK(lms_frame_decode_sequence(&f, &code));
            CHECK_INT_EQ(f.width, 160);
            CHECK_OK(lms_frame_release(&f));
        }
    }
    CHECK_OK(lms_track_set_frame_callback(cam, NULL, NULL));
    CHECK(__atomic_load_n(&r.written, __ATOMIC_SEQ_CST) >= scaled(3));
    CHECK_INT_EQ(__atomic_load_n(&r.failed, __ATOMIC_SEQ_CST), 0);
    CHECK_OK(lms_track_free(cam));
    CHECK_OK(lms_track_free(out));
    CHECK_OK(lms_generator_free(r.g));
    configure(CONFIG_UNPACED);
}

/* ---- constraints ---- */

static void a_constrained_clone_gets_its_own_size_and_format(void) {
    lms_generator g;
    lms_track t, c;
    lms_frame f;
    char format[16];
    configure(CONFIG_UNPACED);
    g = new_generator();
    t = generator_track(g);
    c = clone_of(t);
    CHECK_OK(lms_track_apply_constraints(c, "{\"width\":{\"max\":32},\"pixelFormat\":\"RGBA\"}"));
    CHECK_OK(write_new(g, LMS_PIXEL_FORMAT_I420, 64, 48, 0, 4, 77));
    if (read_frame(c, &f)) {
        CHECK(f.pixel_format == LMS_PIXEL_FORMAT_RGBA);
        CHECK_INT_EQ(f.width, 32);
        CHECK_INT_EQ(f.height, 24);
        CHECK_INT_EQ(f.plane_count, 1);
        CHECK(f.strides[0] >= 32 * 4);
        CHECK_INT_EQ(f.timestamp_us, 77);
        CHECK(frame_checksum(&f) > 0);
        CHECK_OK(lms_frame_release(&f));
    }
    CHECK_INT_EQ(settings_int(c, "width"), 32);
    CHECK_INT_EQ(settings_int(c, "height"), 24);
    settings_format(c, format, sizeof format);
    CHECK_STR_EQ(format, "RGBA");
    /* The unconstrained track gets the frames as written. */
    if (read_frame(t, &f)) {
        CHECK(frame_is_picture(&f, LMS_PIXEL_FORMAT_I420, 64, 48, 0));
        CHECK_OK(lms_frame_release(&f));
    }
    /* Frames of a new size: the clone's constraints choose again. */
    CHECK_OK(write_new(g, LMS_PIXEL_FORMAT_I420, 128, 64, 1, 0, 78));
    if (read_frame(c, &f)) {
        CHECK(f.pixel_format == LMS_PIXEL_FORMAT_RGBA);
        CHECK_INT_EQ(f.width, 32);
        CHECK_INT_EQ(f.height, 16);
        CHECK_OK(lms_frame_release(&f));
    }
    /* What no frame could be is overconstrained and changes nothing. */
    CHECK_STATUS(lms_track_apply_constraints(c, "{\"width\": {\"min\": 20000}}"), LMS_ERR_OVERCONSTRAINED);
    CHECK_STR_EQ(lms_last_error_constraint(), "width");
    CHECK_INT_EQ(settings_int(c, "width"), 32);
    CHECK_OK(lms_track_free(c));
    CHECK_OK(lms_track_free(t));
    CHECK_OK(lms_generator_free(g));
}

/* ---- mute ---- */

static void muting_drops_frames_and_fires_mute_and_unmute(void) {
    lms_generator g;
    lms_track t, c;
    lms_listener l = {0};
    event_log log;
    lms_frame f;
    configure(CONFIG_UNPACED);
    event_log_init(&log);
    g = new_generator();
    t = generator_track(g);
    c = clone_of(t);
    CHECK_OK(lms_track_add_event_listener(c, record_event, &log, &l));
    CHECK_OK(lms_generator_set_muted(g, true));
    CHECK_OK(lms_generator_set_muted(g, true));
    CHECK(generator_muted(g));
    CHECK(track_muted(t));
    CHECK(track_muted(c));
    WAIT_UNTIL(event_count(&log, LMS_EVENT_MUTE) >= 1, patience_ms());
    /* Frames written while muted are dropped, and the write succeeds. */
    CHECK_OK(write_new(g, LMS_PIXEL_FORMAT_I420, 8, 8, 0, 0, 1));
    CHECK_STATUS(lms_track_read_frame(c, 100, &f), LMS_ERR_TIMEOUT);
    CHECK(nothing_queued(t));
    CHECK_OK(lms_generator_set_muted(g, false));
    CHECK(!generator_muted(g));
    CHECK(!track_muted(c));
    WAIT_UNTIL(event_count(&log, LMS_EVENT_UNMUTE) >= 1, patience_ms());
    CHECK_OK(write_new(g, LMS_PIXEL_FORMAT_I420, 8, 8, 1, 0, 5));
    if (read_frame(c, &f)) {
        CHECK_INT_EQ(f.timestamp_us, 5);
        CHECK(frame_is_picture(&f, LMS_PIXEL_FORMAT_I420, 8, 8, 1));
        CHECK_OK(lms_frame_release(&f));
    }
    /* A muted generator drops frames passed on, too. */
    CHECK_OK(lms_generator_set_muted(g, true));
    if (read_frame(t, &f)) {
        CHECK_OK(lms_generator_write_frame(g, &f));
        CHECK_OK(lms_frame_release(&f));
    }
    CHECK(nothing_queued(c));
    CHECK_OK(lms_generator_set_muted(g, false));
    WAIT_UNTIL(event_count(&log, LMS_EVENT_UNMUTE) >= 2, patience_ms());
    CHECK_INT_EQ(event_count(&log, LMS_EVENT_MUTE), 2);
    CHECK_INT_EQ(event_count(&log, LMS_EVENT_UNMUTE), 2);
    CHECK_INT_EQ(event_count(&log, LMS_EVENT_ENDED), 0);
    CHECK_OK(lms_listener_remove(l));
    CHECK_OK(lms_track_free(c));
    CHECK_OK(lms_track_free(t));
    CHECK_OK(lms_generator_free(g));
    event_log_destroy(&log);
}

/* ---- close, stop, free ---- */

static void closing_ends_every_track_and_refuses_writes(void) {
    lms_generator g;
    lms_track t, c, again;
    lms_listener lt = {0}, lc = {0};
    event_log log_t, log_c;
    lms_frame f, kept;
    bool kept_ok = false;
    configure(CONFIG_UNPACED);
    event_log_init(&log_t);
    event_log_init(&log_c);
    g = new_generator();
    t = generator_track(g);
    c = clone_of(t);
    CHECK_OK(lms_track_add_event_listener(t, record_event, &log_t, &lt));
    CHECK_OK(lms_track_add_event_listener(c, record_event, &log_c, &lc));
    CHECK_OK(write_new(g, LMS_PIXEL_FORMAT_I420, 8, 8, 0, 0, 1));
    if (read_frame(t, &kept)) {
        kept_ok = true;
    }
    CHECK_OK(lms_generator_close(g));
    CHECK_OK(lms_generator_close(g));
    CHECK(generator_closed(g));
    CHECK(ready_state(t) == LMS_READY_STATE_ENDED);
    CHECK(ready_state(c) == LMS_READY_STATE_ENDED);
    WAIT_UNTIL(event_count(&log_t, LMS_EVENT_ENDED) >= 1 && event_count(&log_c, LMS_EVENT_ENDED) >= 1,
               patience_ms());
    CHECK_INT_EQ(event_count(&log_t, LMS_EVENT_ENDED), 1);
    CHECK_INT_EQ(event_count(&log_c, LMS_EVENT_ENDED), 1);
    /* Frames queued before the close stay readable; then the track is over. */
    if (read_frame(c, &f)) {
        CHECK(frame_is_picture(&f, LMS_PIXEL_FORMAT_I420, 8, 8, 0));
        CHECK_OK(lms_frame_release(&f));
    }
    CHECK_STATUS(lms_track_read_frame(c, 100, &f), LMS_ERR_ENDED);
    /* Writes are refused. */
    CHECK_ERROR(write_new(g, LMS_PIXEL_FORMAT_I420, 8, 8, 1, 0, 2), LMS_ERR_INVALID_STATE, "closed");
    if (kept_ok) {
        CHECK_ERROR(lms_generator_write_frame(g, &kept), LMS_ERR_INVALID_STATE, "closed");
        CHECK_OK(lms_frame_release(&kept));
    }
    /* The handle stays usable: its track is ended, muting still answers. */
    again = generator_track(g);
    CHECK(ready_state(again) == LMS_READY_STATE_ENDED);
    CHECK_OK(lms_generator_set_muted(g, true));
    CHECK(generator_muted(g));
    CHECK_OK(lms_listener_remove(lt));
    CHECK_OK(lms_listener_remove(lc));
    CHECK_OK(lms_track_free(again));
    CHECK_OK(lms_track_free(c));
    CHECK_OK(lms_track_free(t));
    CHECK_OK(lms_generator_free(g));
    event_log_destroy(&log_t);
    event_log_destroy(&log_c);
}

/* Stopping the track and every clone closes the generator; stop fires no ended. */
static void stopping_every_track_closes_the_generator(void) {
    lms_generator g;
    lms_track t, second, c;
    lms_listener l = {0};
    event_log log;
    char id1[64], id2[64];
    configure(CONFIG_UNPACED);
    event_log_init(&log);
    g = new_generator();
    t = generator_track(g);
    second = generator_track(g);
    /* Two handles of the one track. */
    CHECK(t.id != second.id);
    track_id(t, id1, sizeof id1);
    track_id(second, id2, sizeof id2);
    CHECK_STR_EQ(id1, id2);
    c = clone_of(t);
    CHECK_OK(lms_track_add_event_listener(c, record_event, &log, &l));
    /* Stopping through one handle stops the generator's track for every handle. */
    CHECK_OK(lms_track_stop(second));
    CHECK(ready_state(t) == LMS_READY_STATE_ENDED);
    CHECK(!generator_closed(g)); /* the clone still reads */
    CHECK_OK(write_new(g, LMS_PIXEL_FORMAT_I420, 4, 4, 0, 0, 0));
    CHECK_OK(lms_track_stop(c));
    CHECK(generator_closed(g));
    CHECK_ERROR(write_new(g, LMS_PIXEL_FORMAT_I420, 4, 4, 1, 0, 0), LMS_ERR_INVALID_STATE, "closed");
    sleep_ms(50);
    CHECK_INT_EQ(event_count(&log, LMS_EVENT_ENDED), 0);
    CHECK_OK(lms_listener_remove(l));
    CHECK_OK(lms_track_free(c));
    CHECK_OK(lms_track_free(second));
    CHECK_OK(lms_track_free(t));
    CHECK_OK(lms_generator_free(g));
    event_log_destroy(&log);
}

/* Freeing track handles does not stop the generator's track; freeing the
 * generator does not end the tracks that handles still hold. */
static void handles_and_the_generator_keep_the_track(void) {
    lms_generator g;
    lms_track t, c;
    lms_frame f;
    configure(CONFIG_UNPACED);
    g = new_generator();
    t = generator_track(g);
    CHECK_OK(lms_track_free(t));
    CHECK(!generator_closed(g));
    t = generator_track(g);
    CHECK(ready_state(t) == LMS_READY_STATE_LIVE);
    CHECK_OK(write_new(g, LMS_PIXEL_FORMAT_I420, 4, 4, 2, 0, 3));
    if (read_frame(t, &f)) {
        CHECK(frame_is_picture(&f, LMS_PIXEL_FORMAT_I420, 4, 4, 2));
        CHECK_OK(lms_frame_release(&f));
    }
    c = clone_of(t);
    CHECK_OK(lms_generator_free(g));
    CHECK_STATUS(lms_generator_free(g), LMS_ERR_INVALID_HANDLE);
    CHECK(ready_state(t) == LMS_READY_STATE_LIVE);
    CHECK(ready_state(c) == LMS_READY_STATE_LIVE);
    CHECK_STATUS(lms_track_read_frame(c, 50, &f), LMS_ERR_TIMEOUT);
    CHECK_OK(lms_track_free(t));
    CHECK_OK(lms_track_free(c));
}

/* A generator's track can join a stream like any track. */
static void a_generator_track_joins_a_stream(void) {
    lms_generator g;
    lms_track t;
    lms_stream s = {0};
    configure(CONFIG_UNPACED);
    g = new_generator();
    t = generator_track(g);
    CHECK_OK(lms_stream_new(&t, 1, &s));
    CHECK(stream_active(s));
    CHECK_INT_EQ(count_tracks(s, LMS_TRACK_KIND_VIDEO), 1);
    CHECK_OK(lms_generator_close(g));
    CHECK(!stream_active(s));
    CHECK_OK(lms_stream_free(s));
    CHECK_OK(lms_track_free(t));
    CHECK_OK(lms_generator_free(g));
}

/* ---- bad arguments ---- */

static void bad_pictures_are_refused_naming_the_argument(void) {
    lms_generator g;
    lms_track t;
    picture p;
    const uint8_t *planes[4];
    size_t strides[4];
    configure(CONFIG_UNPACED);
    g = new_generator();
    t = generator_track(g);
    picture_make(&p, LMS_PIXEL_FORMAT_I420, 16, 16, 0, 2);
    memcpy(planes, p.planes, sizeof planes);
    memcpy(strides, p.strides, sizeof strides);
    CHECK_ERROR(lms_generator_write(g, LMS_PIXEL_FORMAT_I420, 16, 16, 0, NULL, strides, 3),
                LMS_ERR_INVALID_ARGUMENT, "planes");
    CHECK_ERROR(lms_generator_write(g, LMS_PIXEL_FORMAT_I420, 16, 16, 0, planes, NULL, 3),
                LMS_ERR_INVALID_ARGUMENT, "strides");
    planes[1] = NULL;
    CHECK_ERROR(lms_generator_write(g, LMS_PIXEL_FORMAT_I420, 16, 16, 0, planes, strides, 3),
                LMS_ERR_INVALID_ARGUMENT, "planes[1]");
    planes[1] = p.planes[1];
    CHECK_ERROR(lms_generator_write(g, LMS_PIXEL_FORMAT_I420, 16, 16, 0, planes, strides, 2), LMS_ERR_TYPE,
                "plane_count");
    CHECK_ERROR(lms_generator_write(g, LMS_PIXEL_FORMAT_I420, 16, 16, 0, planes, strides, 0), LMS_ERR_TYPE,
                "plane_count");
    /* A huge count is refused before the arrays are read (valgrind would see it). */
    CHECK_ERROR(lms_generator_write(g, LMS_PIXEL_FORMAT_I420, 16, 16, 0, planes, strides, (size_t)-1), LMS_ERR_TYPE,
                "plane_count");
    CHECK_ERROR(lms_generator_write(g, LMS_PIXEL_FORMAT_RGBA, 16, 16, 0, planes, strides, 3), LMS_ERR_TYPE,
                "plane_count");
    CHECK_ERROR(lms_generator_write(g, LMS_PIXEL_FORMAT_I420, 0, 16, 0, planes, strides, 3), LMS_ERR_TYPE, "width");
    CHECK_ERROR(lms_generator_write(g, LMS_PIXEL_FORMAT_I420, 16, 0, 0, planes, strides, 3), LMS_ERR_TYPE, "height");
    CHECK_ERROR(lms_generator_write(g, LMS_PIXEL_FORMAT_I420, 20000, 16, 0, planes, strides, 3), LMS_ERR_TYPE,
                "width");
    CHECK_ERROR(lms_generator_write(g, LMS_PIXEL_FORMAT_I420, 16, 16384 + 1, 0, planes, strides, 3), LMS_ERR_TYPE,
                "height");
    /* A stride shorter than a row. */
    strides[1] = 7;
    CHECK_ERROR(lms_generator_write(g, LMS_PIXEL_FORMAT_I420, 16, 16, 0, planes, strides, 3), LMS_ERR_TYPE,
                "strides[1]");
    /* A stride no memory could hold. */
    strides[1] = p.strides[1];
    strides[0] = (size_t)-1 / 2;
    CHECK_ERROR(lms_generator_write(g, LMS_PIXEL_FORMAT_I420, 16, 16, 0, planes, strides, 3), LMS_ERR_TYPE,
                "strides[0]");
    strides[0] = p.strides[0];
    /* MJPEG is no plane layout; a value outside the enum is no format. */
    CHECK_ERROR(lms_generator_write(g, LMS_PIXEL_FORMAT_MJPEG, 16, 16, 0, planes, strides, 1), LMS_ERR_TYPE,
                "MJPEG");
    CHECK_ERROR(lms_generator_write(g, (lms_pixel_format)99, 16, 16, 0, planes, strides, 3),
                LMS_ERR_INVALID_ARGUMENT, "format");
    CHECK_ERROR(lms_generator_write(g, (lms_pixel_format)-1, 16, 16, 0, planes, strides, 3),
                LMS_ERR_INVALID_ARGUMENT, "format");
    /* Nothing reached the track; the good picture still goes. */
    CHECK(nothing_queued(t));
    CHECK(!generator_closed(g));
    CHECK_OK(lms_generator_write(g, LMS_PIXEL_FORMAT_I420, 16, 16, 0, planes, strides, 3));
    {
        lms_frame f;
        if (read_frame(t, &f)) {
            CHECK(frame_is_picture(&f, LMS_PIXEL_FORMAT_I420, 16, 16, 0));
            CHECK_INT_EQ(f.sequence, 0);
            CHECK_OK(lms_frame_release(&f));
        }
    }
    picture_free(&p);
    CHECK_OK(lms_track_free(t));
    CHECK_OK(lms_generator_free(g));
}

static void bad_frames_and_null_outs_are_refused(void) {
    lms_generator g;
    lms_track t, mic;
    lms_frame f, forged;
    configure(CONFIG_UNPACED);
    g = new_generator();
    t = generator_track(g);
    CHECK_ERROR(lms_generator_new(NULL), LMS_ERR_INVALID_ARGUMENT, "out");
    CHECK_ERROR(lms_generator_track(g, NULL), LMS_ERR_INVALID_ARGUMENT, "out");
    CHECK_ERROR(lms_generator_muted(g, NULL), LMS_ERR_INVALID_ARGUMENT, "out");
    CHECK_ERROR(lms_generator_closed(g, NULL), LMS_ERR_INVALID_ARGUMENT, "out");
    CHECK_ERROR(lms_generator_write_frame(g, NULL), LMS_ERR_INVALID_ARGUMENT, "frame");
    /* A forged, zero and released frame. */
    memset(&forged, 0, sizeof forged);
    forged.handle = FORGED_ID;
    CHECK_ERROR(lms_generator_write_frame(g, &forged), LMS_ERR_INVALID_HANDLE, "lms_frame");
    forged.handle = 0;
    CHECK_STATUS(lms_generator_write_frame(g, &forged), LMS_ERR_INVALID_HANDLE);
    CHECK_OK(write_new(g, LMS_PIXEL_FORMAT_RGBA, 4, 4, 0, 0, 0));
    if (read_frame(t, &f)) {
        CHECK_OK(lms_frame_release(&f));
        CHECK_STATUS(lms_generator_write_frame(g, &f), LMS_ERR_INVALID_HANDLE);
    }
    /* An audio frame is a TypeError. */
    mic = open_track("{\"audio\": true}", LMS_TRACK_KIND_AUDIO);
    if (read_frame(mic, &f)) {
        CHECK_ERROR(lms_generator_write_frame(g, &f), LMS_ERR_TYPE, "audio");
        CHECK_OK(lms_frame_release(&f));
    }
    CHECK_OK(lms_track_free(mic));
    CHECK(nothing_queued(t));
    CHECK(!generator_closed(g));
    CHECK_OK(lms_track_free(t));
    CHECK_OK(lms_generator_free(g));
}

/* Calls every generator function with a handle that is not a live generator. */
static void check_bad_generator(lms_generator bad, const char *what) {
    lms_track out_track = {FORGED_ID};
    bool flag = true;
    picture p;
    lms_frame f;
    picture_make(&p, LMS_PIXEL_FORMAT_RGBA, 4, 4, 0, 0);
#define BAD(call)                                                                                  \
    CHECK_MSG((call) == LMS_ERR_INVALID_HANDLE && strstr(lms_last_error_message(), "lms_generator"), \
              "%s: %s: %s", what, #call, lms_last_error_message())
    BAD(lms_generator_track(bad, &out_track));
    BAD(write_picture(bad, &p, 0));
    BAD(lms_generator_set_muted(bad, true));
    BAD(lms_generator_muted(bad, &flag));
    BAD(lms_generator_close(bad));
    BAD(lms_generator_closed(bad, &flag));
    BAD(lms_generator_free(bad));
#undef BAD
    /* write_frame with a live frame. */
    {
        lms_generator g = new_generator();
        lms_track t = generator_track(g);
        CHECK_OK(write_picture(g, &p, 0));
        if (read_frame(t, &f)) {
            CHECK_MSG(lms_generator_write_frame(bad, &f) == LMS_ERR_INVALID_HANDLE, "%s: write_frame", what);
            CHECK_OK(lms_frame_release(&f));
        }
        CHECK_OK(lms_track_free(t));
        CHECK_OK(lms_generator_free(g));
    }
    CHECK_MSG(out_track.id == FORGED_ID, "%s: lms_generator_track wrote its out-parameter", what);
    CHECK_MSG(flag, "%s: a bool out-parameter was written", what);
    picture_free(&p);
}

static void bad_generator_handles_are_invalid_handles(void) {
    lms_generator g, freed, as_generator;
    lms_track t, as_track;
    lms_stream s;
    char *str = SENTINEL_STRING;
    configure(CONFIG_UNPACED);
    check_bad_generator((lms_generator){0}, "zero");
    check_bad_generator((lms_generator){FORGED_ID}, "forged");
    check_bad_generator((lms_generator){UINT64_MAX}, "UINT64_MAX");
    freed = new_generator();
    CHECK_OK(lms_generator_free(freed));
    check_bad_generator(freed, "freed");
    /* Handles of other kinds are no generators, and the other way round. */
    g = new_generator();
    t = generator_track(g);
    as_generator.id = t.id;
    check_bad_generator(as_generator, "a track handle");
    s = open_stream("{\"video\": true}");
    as_generator.id = s.id;
    check_bad_generator(as_generator, "a stream handle");
    CHECK_OK(lms_stream_free(s));
    as_track.id = g.id;
    CHECK_STATUS(lms_track_stop(as_track), LMS_ERR_INVALID_HANDLE);
    CHECK_STATUS(lms_track_id(as_track, &str), LMS_ERR_INVALID_HANDLE);
    CHECK_STATUS(lms_track_free(as_track), LMS_ERR_INVALID_HANDLE);
    CHECK(str == SENTINEL_STRING);
    /* The real one is untouched by all that. */
    CHECK(!generator_closed(g));
    CHECK(ready_state(t) == LMS_READY_STATE_LIVE);
    CHECK_OK(lms_track_free(t));
    CHECK_OK(lms_generator_free(g));
}

/* ---- threads ---- */

typedef struct writer_arg {
    lms_generator g;
    int count;
    int failed;
} writer_arg;

static void *writer_thread(void *arg) {
    writer_arg *w = (writer_arg *)arg;
    int i;
    for (i = 0; i < w->count; i++) {
        if (write_new(w->g, LMS_PIXEL_FORMAT_RGBA, 8, 8, (unsigned)i, 1, i) != LMS_OK) {
            w->failed++;
        }
    }
    return NULL;
}

/* Several threads may write to one generator; a reader on another thread sees frames in sequence order. */
static void writes_from_several_threads(void) {
    lms_generator g;
    lms_track t;
    lms_frame f;
    pthread_t threads[3];
    writer_arg args[3];
    int i, n = scaled(60);
    uint64_t last = 0;
    bool first = true, ordered = true;
    configure("{\"backends\": [\"fake\"], \"fake\": {\"pacing\": \"none\"}, \"queueSize\": 16}");
    g = new_generator();
    t = generator_track(g);
    for (i = 0; i < 3; i++) {
        args[i].g = g;
        args[i].count = n;
        args[i].failed = 0;
        pthread_create(&threads[i], NULL, writer_thread, &args[i]);
    }
    while (lms_track_read_frame(t, 200, &f) == LMS_OK) {
        if (!first && f.sequence <= last) {
            ordered = false;
        }
        first = false;
        last = f.sequence;
        CHECK_OK(lms_frame_release(&f));
    }
    for (i = 0; i < 3; i++) {
        pthread_join(threads[i], NULL);
        CHECK_INT_EQ(args[i].failed, 0);
    }
    while (lms_track_read_frame(t, 0, &f) == LMS_OK) {
        if (!first && f.sequence <= last) {
            ordered = false;
        }
        first = false;
        last = f.sequence;
        CHECK_OK(lms_frame_release(&f));
    }
    CHECK(ordered);
    CHECK_INT_EQ(last, 3 * n - 1);
    CHECK_OK(lms_track_free(t));
    CHECK_OK(lms_generator_free(g));
    configure(CONFIG_UNPACED);
}

int main(void) {
    static const harness_case cases[] = {
        TEST(a_new_generator_has_a_live_video_track_with_no_size),
        TEST(i420_planes_come_back_byte_exact_from_the_track_and_a_clone),
        TEST(every_raw_format_comes_back_byte_exact),
        TEST(the_callers_memory_is_copied_once_and_not_kept),
        TEST(the_queue_size_comes_from_the_configuration),
        TEST(a_camera_frame_passes_on_without_a_copy),
        TEST(a_frame_callback_may_pass_its_frames_on),
        TEST(a_constrained_clone_gets_its_own_size_and_format),
        TEST(muting_drops_frames_and_fires_mute_and_unmute),
        TEST(closing_ends_every_track_and_refuses_writes),
        TEST(stopping_every_track_closes_the_generator),
        TEST(handles_and_the_generator_keep_the_track),
        TEST(a_generator_track_joins_a_stream),
        TEST(bad_pictures_are_refused_naming_the_argument),
        TEST(bad_frames_and_null_outs_are_refused),
        TEST(bad_generator_handles_are_invalid_handles),
        TEST(writes_from_several_threads),
    };
    return RUN_TESTS(cases);
}
