/*
 * Frames: layouts of every pixel and sample format, sequence numbers (the fake
 * camera paints them into the picture), timeouts, frames that outlive their
 * track, retain/release, and frame callbacks (including one that stops its own
 * track and one that keeps a frame with lms_frame_retain).
 */
#include "lms_test.h"

/* Rows of plane p of a frame of this format (0 when the plane does not exist). */
static uint32_t plane_rows(lms_pixel_format format, uint32_t height, int p) {
    switch (format) {
    case LMS_PIXEL_FORMAT_I420:
        return p == 0 ? height : p <= 2 ? (height + 1) / 2 : 0;
    case LMS_PIXEL_FORMAT_NV12:
        return p == 0 ? height : p == 1 ? (height + 1) / 2 : 0;
    default:
        return p == 0 ? height : 0;
    }
}

/* Bytes of one row of plane p. */
static uint32_t row_bytes(lms_pixel_format format, uint32_t width, int p) {
    switch (format) {
    case LMS_PIXEL_FORMAT_I420:
        return p == 0 ? width : (width + 1) / 2;
    case LMS_PIXEL_FORMAT_NV12:
        return p == 0 ? width : 2 * ((width + 1) / 2);
    case LMS_PIXEL_FORMAT_YUY2:
        return 2 * width;
    case LMS_PIXEL_FORMAT_RGB24:
    case LMS_PIXEL_FORMAT_BGR24:
        return 3 * width;
    default:
        return 4 * width;
    }
}

static void check_video_layout(const lms_frame *f, lms_pixel_format format, uint32_t width, uint32_t height) {
    uint32_t planes = format == LMS_PIXEL_FORMAT_I420 ? 3 : format == LMS_PIXEL_FORMAT_NV12 ? 2 : 1;
    uint32_t p;
    uint64_t decoded = UINT64_MAX;
    CHECK(f->kind == LMS_TRACK_KIND_VIDEO);
    CHECK_INT_EQ(f->pixel_format, format);
    CHECK_INT_EQ(f->width, width);
    CHECK_INT_EQ(f->height, height);
    CHECK_INT_EQ(f->plane_count, planes);
    CHECK(f->handle != 0);
    for (p = 0; p < planes && p < 4; p++) {
        CHECK(f->planes[p] != NULL);
        CHECK_MSG(f->strides[p] >= row_bytes(format, width, (int)p), "format %d plane %u stride %u", (int)format, p,
                  f->strides[p]);
        CHECK_MSG(f->plane_sizes[p] >= (size_t)f->strides[p] * (plane_rows(format, height, (int)p) - 1) +
                                           row_bytes(format, width, (int)p),
                  "format %d plane %u size %zu", (int)format, p, f->plane_sizes[p]);
    }
    (void)frame_checksum(f); /* every byte readable (valgrind checks) */
    CHECK_OK(lms_frame_decode_sequence(f, &decoded));
    CHECK_MSG(decoded == f->sequence, "format %d: painted %llu, sequence %llu", (int)format,
              (unsigned long long)decoded, (unsigned long long)f->sequence);
}

/* Every pixel format has its layout, and the painted sequence survives conversion. */
static void every_pixel_format_has_its_layout_and_sequence(void) {
    static const struct {
        const char *name;
        lms_pixel_format format;
    } formats[] = {
        {"I420", LMS_PIXEL_FORMAT_I420},   {"NV12", LMS_PIXEL_FORMAT_NV12},   {"YUY2", LMS_PIXEL_FORMAT_YUY2},
        {"RGB24", LMS_PIXEL_FORMAT_RGB24}, {"BGR24", LMS_PIXEL_FORMAT_BGR24}, {"RGBA", LMS_PIXEL_FORMAT_RGBA},
        {"BGRA", LMS_PIXEL_FORMAT_BGRA},
    };
    size_t i;
    configure(CONFIG_UNPACED);
    for (i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        char constraints[256], settings[2048], reported[32];
        lms_track t;
        lms_frame f;
        snprintf(constraints, sizeof constraints,
                 "{\"video\": {\"width\": {\"exact\": 320}, \"height\": {\"exact\": 240}, \"pixelFormat\": {\"exact\": \"%s\"}}}",
                 formats[i].name);
        t = open_track(constraints, LMS_TRACK_KIND_VIDEO);
        if (t.id == 0) {
            continue;
        }
        track_settings(t, settings, sizeof settings);
        CHECK_MSG(json_string(settings, "pixelFormat", reported, sizeof reported) &&
                      strcmp(reported, formats[i].name) == 0,
                  "%s: %s", formats[i].name, settings);
        if (read_frame(t, &f)) {
            check_video_layout(&f, formats[i].format, 320, 240);
            CHECK_OK(lms_frame_release(&f));
        }
        CHECK_OK(lms_track_free(t));
    }
}

/* The default is I420 at the device's default size; scaling keeps the painted number. */
static void the_default_picture_is_i420_and_scaling_keeps_the_sequence(void) {
    lms_track t;
    lms_frame f;
    configure(CONFIG_UNPACED);
    t = open_track("{\"video\": true}", LMS_TRACK_KIND_VIDEO);
    if (read_frame(t, &f)) {
        check_video_layout(&f, LMS_PIXEL_FORMAT_I420, 640, 480);
        CHECK(f.timestamp_us > 0);
        CHECK_OK(lms_frame_release(&f));
    }
    CHECK_OK(lms_track_free(t));
    t = open_track("{\"video\": {\"width\": {\"exact\": 176}, \"height\": {\"exact\": 144}}}", LMS_TRACK_KIND_VIDEO);
    if (read_frame(t, &f)) {
        check_video_layout(&f, LMS_PIXEL_FORMAT_I420, 176, 144);
        CHECK_OK(lms_frame_release(&f));
    }
    CHECK_OK(lms_track_free(t));
}

/* Timestamps are on CLOCK_MONOTONIC (QueryPerformanceCounter on Windows), as
 * the header says: a frame and a chunk are stamped after lms_open was called
 * and before the read returned. */
static void timestamps_are_on_the_monotonic_clock(void) {
    lms_stream s;
    lms_track t;
    lms_frame f;
    int kind;
    configure(CONFIG_REALTIME);
    for (kind = 0; kind < 2; kind++) {
        long long before = now_us(), after;
        s = open_stream(kind == LMS_TRACK_KIND_VIDEO ? "{\"video\": true}" : "{\"audio\": true}");
        if (s.id == 0) {
            continue;
        }
        t = first_track(s, (lms_track_kind)kind);
        if (t.id != 0 && read_frame(t, &f)) {
            after = now_us();
            CHECK_MSG(f.timestamp_us >= before && f.timestamp_us <= after,
                      "%s timestamp %lld us is not between %lld (before lms_open) and %lld (after the read)",
                      kind == LMS_TRACK_KIND_VIDEO ? "video" : "audio", (long long)f.timestamp_us, before, after);
            CHECK_OK(lms_frame_release(&f));
        }
        if (t.id != 0) {
            CHECK_OK(lms_track_free(t));
        }
        CHECK_OK(lms_stream_free(s));
    }
}

/* One reader of an unpaced camera sees every frame, in order, with rising timestamps. */
static void one_reader_of_an_unpaced_camera_sees_consecutive_sequences(void) {
    lms_track t;
    lms_frame f;
    int i, n = scaled(60);
    uint64_t last = 0;
    int64_t last_ts = 0;
    lms_track_stats stats;
    configure(CONFIG_UNPACED);
    t = open_track("{\"video\": {\"width\": 160, \"height\": 120}}", LMS_TRACK_KIND_VIDEO);
    for (i = 0; i < n; i++) {
        uint64_t painted = UINT64_MAX;
        if (!read_frame(t, &f)) {
            break;
        }
        if (i > 0) {
            CHECK_MSG(f.sequence == last + 1, "frame %d: sequence %llu after %llu", i, (unsigned long long)f.sequence,
                      (unsigned long long)last);
            CHECK(f.timestamp_us >= last_ts);
        }
        CHECK_OK(lms_frame_decode_sequence(&f, &painted));
        CHECK_INT_EQ(painted, f.sequence);
        last = f.sequence;
        last_ts = f.timestamp_us;
        CHECK_OK(lms_frame_release(&f));
    }
    CHECK_OK(lms_track_stats_get(t, &stats));
    CHECK_INT_EQ(stats.frames_dropped, 0);
    CHECK_OK(lms_track_free(t));
}

/* Audio: f32 by default, 10 ms chunks, a tone; s16, other rates and channels on request. */
static void audio_chunks_have_their_format_rate_and_size(void) {
    static const struct {
        const char *constraints;
        lms_sample_format format;
        uint32_t rate, channels, bytes_per_sample;
    } cases[] = {
        {"{\"audio\": true}", LMS_SAMPLE_FORMAT_F32, 48000, 1, 4},
        {"{\"audio\": {\"sampleFormat\": {\"exact\": \"s16\"}}}", LMS_SAMPLE_FORMAT_S16, 48000, 1, 2},
        {"{\"audio\": {\"sampleRate\": {\"exact\": 16000}, \"channelCount\": {\"exact\": 2}}}", LMS_SAMPLE_FORMAT_F32,
         16000, 2, 4},
    };
    size_t i;
    configure(CONFIG_UNPACED);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lms_track t = open_track(cases[i].constraints, LMS_TRACK_KIND_AUDIO);
        lms_frame f;
        uint64_t last = 0;
        int k;
        for (k = 0; k < 3 && t.id != 0; k++) {
            uint64_t painted = 42;
            if (!read_frame(t, &f)) {
                break;
            }
            CHECK(f.kind == LMS_TRACK_KIND_AUDIO);
            CHECK_INT_EQ(f.sample_format, cases[i].format);
            CHECK_INT_EQ(f.sample_rate, cases[i].rate);
            CHECK_INT_EQ(f.channels, cases[i].channels);
            CHECK_INT_EQ(f.sample_count, cases[i].rate / 100);
            CHECK(f.planes[0] != NULL);
            CHECK_INT_EQ(f.plane_sizes[0], (size_t)f.sample_count * f.channels * cases[i].bytes_per_sample);
            CHECK(!audio_is_silent(&f));
            if (k > 0) {
                CHECK_INT_EQ(f.sequence, last + 1);
            }
            last = f.sequence;
            if (f.sample_format == LMS_SAMPLE_FORMAT_F32 && f.plane_sizes[0] >= 4 * f.sample_count) {
                float peak = 0, s;
                uint32_t j;
                for (j = 0; j < f.sample_count * f.channels; j++) {
                    memcpy(&s, f.planes[0] + 4 * j, 4);
                    peak = s > peak ? s : -s > peak ? -s : peak;
                }
                CHECK_MSG(peak > 0.05f && peak <= 1.0f, "peak %f", (double)peak);
            }
            /* Audio carries no painted number. */
            CHECK(lms_frame_decode_sequence(&f, &painted) != LMS_OK);
            CHECK_INT_EQ(painted, 42);
            CHECK_OK(lms_frame_release(&f));
        }
        if (t.id != 0) {
            CHECK_OK(lms_track_free(t));
        }
    }
}

/* A black picture (disabled track) carries no code: NOT_FOUND, out untouched. */
static void a_black_picture_carries_no_sequence_code(void) {
    lms_track t;
    lms_frame f;
    int i;
    bool checked = false;
    configure(CONFIG_UNPACED);
    t = open_track("{\"video\": {\"width\": 160, \"height\": 120}}", LMS_TRACK_KIND_VIDEO);
    CHECK_OK(lms_track_set_enabled(t, false));
    for (i = 0; i < 20 && !checked; i++) {
        if (!read_frame(t, &f)) {
            break;
        }
        if (i420_is_black(&f)) {
            uint64_t painted = 42;
            CHECK_STATUS(lms_frame_decode_sequence(&f, &painted), LMS_ERR_NOT_FOUND);
            CHECK_INT_EQ(painted, 42);
            checked = true;
        }
        CHECK_OK(lms_frame_release(&f));
    }
    CHECK(checked);
    CHECK_OK(lms_track_free(t));
}

/* Timeouts: 0 polls, a positive timeout waits about that long, a stop wakes a reader. */
static void reads_time_out_and_poll(void) {
    lms_track t;
    lms_frame f, untouched;
    long long started, waited;
    configure(CONFIG_REALTIME);
    t = open_track("{\"video\": {\"width\": 160, \"height\": 120, \"frameRate\": {\"exact\": 1}}}",
                   LMS_TRACK_KIND_VIDEO);
    if (read_frame(t, &f)) {
        CHECK_OK(lms_frame_release(&f));
    }
    /* The next frame would be a second away; muted, none comes however slowly this runs. */
    CHECK_OK(lms_fake_device_control("fake:video:0", "mute"));
    memset(&f, 0xAB, sizeof f);
    memcpy(&untouched, &f, sizeof f);
    CHECK_STATUS(lms_track_read_frame(t, 0, &f), LMS_ERR_TIMEOUT);
    CHECK(memcmp(&f, &untouched, sizeof f) == 0);
    started = now_ms();
    CHECK_STATUS(lms_track_read_frame(t, 100, &f), LMS_ERR_TIMEOUT);
    waited = now_ms() - started;
    /* Never sooner (the clock has millisecond steps); had it waited on for the
     * next frame it would have returned one. How much later than 100 ms it
     * returns depends on how busy the machine is: not checked. */
    CHECK_MSG(waited >= 90, "waited %lld ms", waited);
    CHECK(memcmp(&f, &untouched, sizeof f) == 0);
    /* A negative timeout waits for the next frame. */
    CHECK_OK(lms_fake_device_control("fake:video:0", "unmute"));
    CHECK_STATUS(lms_track_read_frame(t, -1, &f), LMS_OK);
    CHECK_OK(lms_frame_release(&f));
    CHECK_OK(lms_track_stop(t));
    CHECK_STATUS(lms_track_read_frame(t, -1, &f), LMS_ERR_ENDED);
    CHECK_STATUS(lms_track_read_frame(t, 0, &f), LMS_ERR_ENDED);
    CHECK_OK(lms_track_free(t));
}

/* A frame stays readable after its track was stopped and freed, until released. */
static void a_frame_outlives_its_stopped_and_freed_track(void) {
    lms_stream s;
    lms_track t;
    lms_frame f, g;
    uint64_t painted = 0;
    unsigned long long sum_before, sum_after;
    configure(CONFIG_UNPACED);
    s = open_stream("{\"video\": {\"width\": 160, \"height\": 120}, \"audio\": true}");
    t = first_track(s, LMS_TRACK_KIND_VIDEO);
    if (!read_frame(t, &f)) {
        return;
    }
    {
        lms_track a = first_track(s, LMS_TRACK_KIND_AUDIO);
        bool got_audio = read_frame(a, &g);
        CHECK_OK(lms_track_free(a));
        if (!got_audio) {
            CHECK_OK(lms_frame_release(&f));
            CHECK_OK(lms_track_free(t));
            CHECK_OK(lms_stream_free(s));
            return;
        }
        CHECK(g.kind == LMS_TRACK_KIND_AUDIO);
    }
    sum_before = frame_checksum(&f);
    CHECK_OK(lms_track_stop(t));
    CHECK_OK(lms_track_free(t));
    CHECK_OK(lms_stop(s));
    CHECK_OK(lms_stream_free(s));
    CHECK(!device_is_open("fake:video:0"));
    sum_after = frame_checksum(&f);
    CHECK(sum_before == sum_after);
    CHECK_OK(lms_frame_decode_sequence(&f, &painted));
    CHECK_INT_EQ(painted, f.sequence);
    CHECK(!audio_is_silent(&g));
    CHECK_OK(lms_frame_release(&f));
    CHECK_OK(lms_frame_release(&g));
    CHECK_STATUS(lms_frame_release(&f), LMS_ERR_INVALID_HANDLE);
    CHECK_STATUS(lms_frame_release(&g), LMS_ERR_INVALID_HANDLE);
    painted = 42;
    CHECK_STATUS(lms_frame_decode_sequence(&f, &painted), LMS_ERR_INVALID_HANDLE);
    CHECK_INT_EQ(painted, 42);
}

/* lms_frame_retain gives a second handle to the same picture; each is released once. */
static void retain_gives_an_independent_handle_to_the_same_picture(void) {
    lms_track t;
    lms_frame f, kept, again;
    configure(CONFIG_UNPACED);
    t = open_track("{\"video\": {\"width\": 160, \"height\": 120}}", LMS_TRACK_KIND_VIDEO);
    if (!read_frame(t, &f)) {
        return;
    }
    memset(&kept, 0, sizeof kept);
    CHECK_OK(lms_frame_retain(&f, &kept));
    CHECK(kept.handle != 0 && kept.handle != f.handle);
    CHECK(kept.planes[0] == f.planes[0]); /* the same buffer, not a copy */
    CHECK_INT_EQ(kept.sequence, f.sequence);
    CHECK_INT_EQ(kept.width, f.width);
    CHECK_OK(lms_frame_retain(&kept, &again));
    CHECK_OK(lms_frame_release(&f));
    CHECK_OK(lms_track_free(t));
    CHECK(frame_checksum(&kept) == frame_checksum(&again));
    CHECK_OK(lms_frame_release(&kept));
    (void)frame_checksum(&again);
    CHECK_OK(lms_frame_release(&again));
    CHECK_STATUS(lms_frame_release(&kept), LMS_ERR_INVALID_HANDLE);
    memset(&again, 0x5A, sizeof again);
    memcpy(&kept, &again, sizeof kept);
    CHECK_STATUS(lms_frame_retain(&f, &again), LMS_ERR_INVALID_HANDLE);
    CHECK(memcmp(&kept, &again, sizeof again) == 0);
}

/* ---- frame callbacks ---- */

typedef struct callback_state {
    pthread_mutex_t lock;
    lms_track track;
    int calls;
    int stop_after;           /* > 0: stop the own track at this call */
    lms_status stop_status;   /* what lms_track_stop said inside the callback */
    lms_status ready_status;  /* lms_track_ready_state inside the callback, after stopping */
    lms_ready_state ready_after_stop;
    int out_of_order;
    int bad_code;
    int on_test_thread;
    uint64_t last_sequence;
    bool retain_first;
    bool release_given;       /* try to release the callback's own frame */
    int release_status_bad;   /* releases that did not say INVALID_HANDLE */
    int clear_after;          /* > 0: clear the callback from inside it at this call */
    lms_status clear_status;
    lms_status retain_status;
    lms_frame retained;
    pthread_t test_thread;
} callback_state;

static void callback_state_init(callback_state *s, lms_track t) {
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    s->track = t;
    s->test_thread = pthread_self();
    s->stop_status = (lms_status)-1;
    s->retain_status = (lms_status)-1;
    s->clear_status = (lms_status)-1;
}

static void on_frame(void *user_data, const lms_frame *frame) {
    callback_state *s = (callback_state *)user_data;
    uint64_t painted = 0;
    int calls;
    if (lms_frame_decode_sequence(frame, &painted) != LMS_OK || painted != frame->sequence) {
        __atomic_fetch_add(&s->bad_code, 1, __ATOMIC_RELAXED);
    }
    (void)frame_checksum(frame);
    pthread_mutex_lock(&s->lock);
    calls = ++s->calls;
    if (calls > 1 && frame->sequence <= s->last_sequence) {
        s->out_of_order++;
    }
    s->last_sequence = frame->sequence;
    if (pthread_equal(pthread_self(), s->test_thread)) {
        s->on_test_thread++;
    }
    if (s->retain_first && calls == 1) {
        s->retain_status = lms_frame_retain(frame, &s->retained);
    }
    pthread_mutex_unlock(&s->lock);
    if (s->release_given) {
        uint64_t again = 0;
        if (lms_frame_release(frame) != LMS_ERR_INVALID_HANDLE) {
            __atomic_fetch_add(&s->release_status_bad, 1, __ATOMIC_RELAXED);
        }
        /* The frame is still the callback's to read. */
        if (lms_frame_decode_sequence(frame, &again) != LMS_OK || again != frame->sequence) {
            __atomic_fetch_add(&s->bad_code, 1, __ATOMIC_RELAXED);
        }
    }
    if (s->clear_after > 0 && calls == s->clear_after) {
        lms_status st = lms_track_set_frame_callback(s->track, NULL, NULL);
        __atomic_store_n(&s->clear_status, st, __ATOMIC_SEQ_CST);
    }
    if (s->stop_after > 0 && calls == s->stop_after) {
        lms_status st = lms_track_stop(s->track); /* stops its own track, from its own thread */
        lms_ready_state r = (lms_ready_state)77;
        lms_status rs = lms_track_ready_state(s->track, &r);
        pthread_mutex_lock(&s->lock);
        s->stop_status = st;
        s->ready_status = rs;
        s->ready_after_stop = r;
        pthread_mutex_unlock(&s->lock);
    }
}

static int calls_of(callback_state *s) {
    int n;
    pthread_mutex_lock(&s->lock);
    n = s->calls;
    pthread_mutex_unlock(&s->lock);
    return n;
}

/* Frames pushed to a callback on the track's own thread, in order; NULL clears it. */
static void a_frame_callback_gets_frames_in_order_on_a_library_thread(void) {
    lms_track t;
    callback_state s;
    int settled;
    configure(CONFIG_UNPACED);
    t = open_track("{\"video\": {\"width\": 160, \"height\": 120}}", LMS_TRACK_KIND_VIDEO);
    callback_state_init(&s, t);
    CHECK_OK(lms_track_set_frame_callback(t, on_frame, &s));
    WAIT_UNTIL(calls_of(&s) >= scaled(30), patience_ms());
    CHECK_MSG(calls_of(&s) >= scaled(30), "%d calls", calls_of(&s));
    CHECK_OK(lms_track_set_frame_callback(t, NULL, NULL));
    settled = calls_of(&s);
    sleep_ms(100);
    CHECK_MSG(calls_of(&s) == settled, "no calls after clearing: %d then %d", settled, calls_of(&s));
    CHECK_INT_EQ(s.out_of_order, 0);
    CHECK_INT_EQ(s.bad_code, 0);
    CHECK_INT_EQ(s.on_test_thread, 0);
    CHECK_OK(lms_track_free(t));
    pthread_mutex_destroy(&s.lock);
}

/* A callback may stop its own track: no deadlock, no call after it. */
static void a_callback_that_stops_its_own_track(void) {
    lms_track t;
    callback_state s;
    uint64_t opens = 0, closes = 0;
    configure(CONFIG_UNPACED);
    t = open_track("{\"video\": {\"width\": 160, \"height\": 120}}", LMS_TRACK_KIND_VIDEO);
    callback_state_init(&s, t);
    s.stop_after = 5;
    CHECK_OK(lms_track_set_frame_callback(t, on_frame, &s));
    WAIT_UNTIL(ready_state(t) == LMS_READY_STATE_ENDED, patience_ms());
    CHECK(ready_state(t) == LMS_READY_STATE_ENDED);
    WAIT_UNTIL(__atomic_load_n(&s.stop_status, __ATOMIC_SEQ_CST) != (lms_status)-1, patience_ms());
    pthread_mutex_lock(&s.lock);
    CHECK_INT_EQ(s.stop_status, LMS_OK);
    CHECK_INT_EQ(s.ready_status, LMS_OK);
    CHECK_INT_EQ(s.ready_after_stop, LMS_READY_STATE_ENDED);
    pthread_mutex_unlock(&s.lock);
    sleep_ms(100);
    CHECK_INT_EQ(calls_of(&s), 5);
    device_usage("fake:video:0", &opens, &closes);
    CHECK_INT_EQ(opens, closes);
    CHECK_OK(lms_track_free(t));
    pthread_mutex_destroy(&s.lock);
}

/* lms_frame_retain inside a callback keeps the frame after the callback returns. */
static void retain_in_a_callback_keeps_the_frame(void) {
    lms_track t;
    callback_state s;
    uint64_t painted = 0;
    configure(CONFIG_UNPACED);
    t = open_track("{\"video\": {\"width\": 160, \"height\": 120}}", LMS_TRACK_KIND_VIDEO);
    callback_state_init(&s, t);
    s.retain_first = true;
    CHECK_OK(lms_track_set_frame_callback(t, on_frame, &s));
    WAIT_UNTIL(calls_of(&s) >= 10, patience_ms());
    CHECK_OK(lms_track_set_frame_callback(t, NULL, NULL));
    CHECK_OK(lms_track_stop(t));
    CHECK_OK(lms_track_free(t));
    pthread_mutex_lock(&s.lock);
    CHECK_INT_EQ(s.retain_status, LMS_OK);
    pthread_mutex_unlock(&s.lock);
    if (s.retain_status == LMS_OK) {
        CHECK_INT_EQ(s.retained.width, 160);
        (void)frame_checksum(&s.retained);
        CHECK_OK(lms_frame_decode_sequence(&s.retained, &painted));
        CHECK_INT_EQ(painted, s.retained.sequence);
        CHECK_OK(lms_frame_release(&s.retained));
        CHECK_STATUS(lms_frame_release(&s.retained), LMS_ERR_INVALID_HANDLE);
    }
    pthread_mutex_destroy(&s.lock);
}

/* Freeing a track with a callback set stops the calls; nothing runs afterwards. */
static void freeing_a_track_with_a_callback_ends_the_calls(void) {
    lms_track t;
    callback_state s;
    int settled;
    configure(CONFIG_UNPACED);
    t = open_track("{\"video\": {\"width\": 160, \"height\": 120}}", LMS_TRACK_KIND_VIDEO);
    callback_state_init(&s, t);
    CHECK_OK(lms_track_set_frame_callback(t, on_frame, &s));
    WAIT_UNTIL(calls_of(&s) >= 3, patience_ms());
    CHECK_OK(lms_track_free(t));
    CHECK(!device_is_open("fake:video:0"));
    settled = calls_of(&s);
    sleep_ms(100);
    CHECK_INT_EQ(calls_of(&s), settled);
    pthread_mutex_destroy(&s.lock);
}

/* A callback may clear itself; the frame it was given is the library's to release. */
static void a_callback_may_clear_itself_and_does_not_own_its_frame(void) {
    lms_track t;
    callback_state s;
    lms_frame f;
    configure(CONFIG_UNPACED);
    t = open_track("{\"video\": {\"width\": 160, \"height\": 120}}", LMS_TRACK_KIND_VIDEO);
    callback_state_init(&s, t);
    s.release_given = true;
    s.clear_after = 4;
    CHECK_OK(lms_track_set_frame_callback(t, on_frame, &s));
    WAIT_UNTIL(__atomic_load_n(&s.clear_status, __ATOMIC_SEQ_CST) != (lms_status)-1, patience_ms());
    CHECK_INT_EQ(__atomic_load_n(&s.clear_status, __ATOMIC_SEQ_CST), LMS_OK);
    sleep_ms(100);
    CHECK_INT_EQ(calls_of(&s), 4);
    CHECK_INT_EQ(s.release_status_bad, 0);
    CHECK_INT_EQ(s.bad_code, 0);
    /* Pull delivery works again once the callback is gone. */
    if (read_frame(t, &f)) {
        CHECK(f.sequence > s.last_sequence);
        CHECK_OK(lms_frame_release(&f));
    }
    CHECK(ready_state(t) == LMS_READY_STATE_LIVE);
    CHECK_OK(lms_track_free(t));
    pthread_mutex_destroy(&s.lock);
}

typedef struct freeing_state {
    lms_track track;
    int calls;
    lms_status free_status;
} freeing_state;

static void free_own_track(void *user_data, const lms_frame *frame) {
    freeing_state *s = (freeing_state *)user_data;
    (void)frame;
    if (__atomic_add_fetch(&s->calls, 1, __ATOMIC_SEQ_CST) == 3) {
        /* The only handle: the track stops, from its own delivery thread. */
        __atomic_store_n(&s->free_status, lms_track_free(s->track), __ATOMIC_SEQ_CST);
    }
}

/* A callback may free the last handle of its own track. */
static void a_callback_may_free_its_own_track(void) {
    freeing_state s;
    lms_ready_state r = (lms_ready_state)77;
    configure(CONFIG_UNPACED);
    memset(&s, 0, sizeof s);
    s.free_status = (lms_status)-1;
    s.track = open_track("{\"video\": {\"width\": 160, \"height\": 120}}", LMS_TRACK_KIND_VIDEO);
    CHECK_OK(lms_track_set_frame_callback(s.track, free_own_track, &s));
    WAIT_UNTIL(__atomic_load_n(&s.free_status, __ATOMIC_SEQ_CST) != (lms_status)-1, patience_ms());
    CHECK_INT_EQ(__atomic_load_n(&s.free_status, __ATOMIC_SEQ_CST), LMS_OK);
    WAIT_UNTIL(!device_is_open("fake:video:0"), patience_ms());
    CHECK(!device_is_open("fake:video:0"));
    sleep_ms(50);
    CHECK_INT_EQ(__atomic_load_n(&s.calls, __ATOMIC_SEQ_CST), 3);
    CHECK_STATUS(lms_track_ready_state(s.track, &r), LMS_ERR_INVALID_HANDLE);
}

typedef struct shared_reader {
    lms_track track;
    int count;
    uint64_t sequences[400];
} shared_reader;

static void *read_shared_track(void *arg) {
    shared_reader *r = (shared_reader *)arg;
    lms_frame f;
    while (r->count < 400 && lms_track_read_frame(r->track, -1, &f) == LMS_OK) {
        r->sequences[r->count] = f.sequence;
        __atomic_store_n(&r->count, r->count + 1, __ATOMIC_RELEASE); /* the test thread counts too */
        lms_frame_release(&f);
    }
    return NULL;
}

/* Frames the readers have read so far (while they read). */
static int frames_read(shared_reader *readers, int n) {
    int i, total = 0;
    for (i = 0; i < n; i++) {
        total += __atomic_load_n(&readers[i].count, __ATOMIC_ACQUIRE);
    }
    return total;
}

static int compare_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Several threads may read one track: each frame goes to exactly one of them. */
static void several_readers_of_one_track_get_each_frame_once(void) {
    enum { READERS = 3 };
    shared_reader readers[READERS];
    pthread_t threads[READERS];
    uint64_t all[READERS * 400];
    lms_track t;
    int i, j, n = 0, duplicates = 0;
    configure(CONFIG_UNPACED);
    t = open_track("{\"video\": {\"width\": 64, \"height\": 48}}", LMS_TRACK_KIND_VIDEO);
    for (i = 0; i < READERS; i++) {
        memset(&readers[i], 0, sizeof readers[i]);
        readers[i].track = t;
        CHECK(pthread_create(&threads[i], NULL, read_shared_track, &readers[i]) == 0);
    }
    /* Until the readers have read some frames (not for a set time: a busy
     * machine may not have run them yet). */
    WAIT_UNTIL(frames_read(readers, READERS) >= 10, patience_ms());
    CHECK_OK(lms_track_stop(t)); /* wakes every reader with ENDED */
    for (i = 0; i < READERS; i++) {
        pthread_join(threads[i], NULL);
        for (j = 0; j < readers[i].count; j++) {
            CHECK(j == 0 || readers[i].sequences[j] > readers[i].sequences[j - 1]);
            all[n++] = readers[i].sequences[j];
        }
    }
    qsort(all, (size_t)n, sizeof all[0], compare_u64);
    for (i = 1; i < n; i++) {
        duplicates += all[i] == all[i - 1];
    }
    CHECK_MSG(n >= 10, "only %d frames read", n);
    CHECK_INT_EQ(duplicates, 0);
    CHECK_OK(lms_track_free(t));
}

int main(void) {
    static const harness_case cases[] = {
        TEST(every_pixel_format_has_its_layout_and_sequence),
        TEST(the_default_picture_is_i420_and_scaling_keeps_the_sequence),
        TEST(timestamps_are_on_the_monotonic_clock),
        TEST(one_reader_of_an_unpaced_camera_sees_consecutive_sequences),
        TEST(audio_chunks_have_their_format_rate_and_size),
        TEST(a_black_picture_carries_no_sequence_code),
        TEST(reads_time_out_and_poll),
        TEST(a_frame_outlives_its_stopped_and_freed_track),
        TEST(retain_gives_an_independent_handle_to_the_same_picture),
        TEST(a_frame_callback_gets_frames_in_order_on_a_library_thread),
        TEST(a_callback_that_stops_its_own_track),
        TEST(retain_in_a_callback_keeps_the_frame),
        TEST(freeing_a_track_with_a_callback_ends_the_calls),
        TEST(a_callback_may_clear_itself_and_does_not_own_its_frame),
        TEST(several_readers_of_one_track_get_each_frame_once),
        TEST(a_callback_may_free_its_own_track),
    };
    return RUN_TESTS(cases);
}
