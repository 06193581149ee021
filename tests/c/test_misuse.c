/*
 * Misuse never crashes: every function given a zero, forged, stale, freed
 * or wrong-kind handle says LMS_ERR_INVALID_HANDLE, every NULL pointer says
 * LMS_ERR_INVALID_ARGUMENT, and out-parameters keep their value on error.
 */
#include "lms_test.h"

#define SENTINEL_STRING ((char *)&sentinel_byte)
static char sentinel_byte;

/* A frame whose every byte is 0x5A (and a copy to compare with). */
static void poison_frame(lms_frame *f) {
    memset(f, 0x5A, sizeof *f);
}

static bool frame_poisoned(const lms_frame *f) {
    lms_frame p;
    poison_frame(&p);
    return memcmp(f, &p, sizeof p) == 0;
}

static void ignore_event(void *user_data, lms_event event, const char *detail) {
    (void)user_data;
    (void)event;
    (void)detail;
}

static void ignore_frame(void *user_data, const lms_frame *frame) {
    (void)user_data;
    (void)frame;
}

/* Calls every track function with a handle that is not a live track. */
static void check_bad_track(lms_track bad, const char *what) {
    char *s = SENTINEL_STRING;
    lms_track out = {FORGED_ID};
    lms_track_kind kind = (lms_track_kind)77;
    lms_ready_state state = (lms_ready_state)77;
    bool flag = true;
    lms_frame f;
    lms_track_stats stats;
    lms_listener l = {FORGED_ID};
    lms_photo photo;
#define BAD(call) CHECK_MSG((call) == LMS_ERR_INVALID_HANDLE, "%s: %s", what, #call)
    BAD(lms_track_stop(bad));
    BAD(lms_track_free(bad));
    BAD(lms_track_clone(bad, &out));
    BAD(lms_track_kind_of(bad, &kind));
    BAD(lms_track_id(bad, &s));
    BAD(lms_track_label(bad, &s));
    BAD(lms_track_ready_state(bad, &state));
    BAD(lms_track_enabled(bad, &flag));
    BAD(lms_track_set_enabled(bad, false));
    BAD(lms_track_muted(bad, &flag));
    BAD(lms_track_settings(bad, &s));
    BAD(lms_track_capabilities(bad, &s));
    BAD(lms_track_constraints(bad, &s));
    BAD(lms_track_apply_constraints(bad, "{\"width\": 320}"));
    poison_frame(&f);
    BAD(lms_track_read_frame(bad, 0, &f));
    BAD(lms_track_read_frame(bad, 10, &f));
    memset(&stats, 0x5A, sizeof stats);
    BAD(lms_track_stats_get(bad, &stats));
    BAD(lms_track_set_frame_callback(bad, ignore_frame, NULL));
    BAD(lms_track_set_frame_callback(bad, NULL, NULL));
    BAD(lms_track_add_event_listener(bad, ignore_event, NULL, &l));
    memset(&photo, 0x5A, sizeof photo);
    BAD(lms_track_take_photo(bad, NULL, 10, &photo));
    BAD(lms_track_take_photo(bad, "{\"imageWidth\": 64}", 10, &photo));
    BAD(lms_track_grab_frame(bad, 10, &f));
    BAD(lms_track_photo_capabilities(bad, &s));
    BAD(lms_track_photo_settings(bad, &s));
#undef BAD
    CHECK_MSG(photo.handle == UINT64_C(0x5A5A5A5A5A5A5A5A), "%s: lms_track_take_photo wrote its out-parameter", what);
    CHECK_MSG(s == SENTINEL_STRING, "%s: a string out-parameter was written", what);
    CHECK_MSG(out.id == FORGED_ID, "%s: lms_track_clone wrote its out-parameter", what);
    CHECK_MSG(kind == (lms_track_kind)77 && state == (lms_ready_state)77 && flag, "%s: an out-parameter was written",
              what);
    CHECK_MSG(frame_poisoned(&f), "%s: lms_track_read_frame wrote its out-parameter", what);
    CHECK_MSG(stats.frames_delivered == UINT64_C(0x5A5A5A5A5A5A5A5A), "%s: stats written", what);
    CHECK_MSG(l.id == FORGED_ID, "%s: a listener was written", what);
}

/* Calls every stream function with a handle that is not a live stream. */
static void check_bad_stream(lms_stream bad, lms_track good_track, const char *what) {
    char *s = SENTINEL_STRING;
    lms_stream out = {FORGED_ID};
    lms_track tracks[2] = {{FORGED_ID}, {FORGED_ID}}, one = {FORGED_ID};
    size_t count = 12345;
    bool active = true;
#define BAD(call) CHECK_MSG((call) == LMS_ERR_INVALID_HANDLE, "%s: %s", what, #call)
    BAD(lms_stop(bad));
    BAD(lms_stream_clone(bad, &out));
    BAD(lms_stream_id(bad, &s));
    BAD(lms_stream_active(bad, &active));
    BAD(lms_stream_tracks(bad, tracks, 2, &count));
    BAD(lms_stream_tracks(bad, NULL, 0, &count));
    BAD(lms_stream_track_by_id(bad, "x", &one));
    BAD(lms_stream_add_track(bad, good_track));
    BAD(lms_stream_remove_track(bad, good_track));
    BAD(lms_stream_free(bad));
#undef BAD
    CHECK_MSG(s == SENTINEL_STRING && out.id == FORGED_ID && active && count == 12345 && tracks[0].id == FORGED_ID &&
                  one.id == FORGED_ID,
              "%s: an out-parameter was written", what);
}

/* Zero, forged, freed and wrong-kind handles, for streams, tracks and listeners. */
static void invalid_handles_are_refused_everywhere(void) {
    lms_stream s, freed_stream = {0};
    lms_track t, freed_track = {0};
    lms_listener l = {0}, freed_listener = {0};
    lms_frame f;
    configure(CONFIG_UNPACED);
    s = open_stream("{\"video\": {\"width\": 160, \"height\": 120}}");
    t = first_track(s, LMS_TRACK_KIND_VIDEO);
    CHECK_OK(lms_track_add_event_listener(t, ignore_event, NULL, &l));
    CHECK_OK(lms_stream_clone(s, &freed_stream));
    CHECK_OK(lms_stream_free(freed_stream));
    CHECK_OK(lms_track_clone(t, &freed_track));
    CHECK_OK(lms_track_free(freed_track));
    CHECK_OK(lms_on_device_change(ignore_event, NULL, &freed_listener));
    CHECK_OK(lms_listener_remove(freed_listener));

    check_bad_track((lms_track){0}, "zero track");
    check_bad_track((lms_track){FORGED_ID}, "forged track");
    check_bad_track((lms_track){UINT64_MAX}, "UINT64_MAX track");
    check_bad_track(freed_track, "freed track");
    check_bad_track((lms_track){s.id}, "a stream as a track");
    check_bad_track((lms_track){l.id}, "a listener as a track");

    check_bad_stream((lms_stream){0}, t, "zero stream");
    check_bad_stream((lms_stream){FORGED_ID}, t, "forged stream");
    check_bad_stream(freed_stream, t, "freed stream");
    check_bad_stream((lms_stream){t.id}, t, "a track as a stream");
    check_bad_stream((lms_stream){l.id}, t, "a listener as a stream");

    /* A good stream with a bad track. */
    CHECK_STATUS(lms_stream_add_track(s, (lms_track){0}), LMS_ERR_INVALID_HANDLE);
    CHECK_STATUS(lms_stream_add_track(s, freed_track), LMS_ERR_INVALID_HANDLE);
    CHECK_STATUS(lms_stream_add_track(s, (lms_track){s.id}), LMS_ERR_INVALID_HANDLE);
    CHECK_STATUS(lms_stream_remove_track(s, (lms_track){FORGED_ID}), LMS_ERR_INVALID_HANDLE);
    CHECK_STATUS(lms_stream_remove_track(s, (lms_track){l.id}), LMS_ERR_INVALID_HANDLE);
    CHECK_INT_EQ(count_tracks(s, -1), 1);
    {
        lms_track mixed[2];
        lms_stream out = {FORGED_ID};
        mixed[0] = t;
        mixed[1] = freed_track;
        CHECK_STATUS(lms_stream_new(mixed, 2, &out), LMS_ERR_INVALID_HANDLE);
        CHECK(out.id == FORGED_ID);
    }

    /* Listeners: zero, forged, removed, and handles of other kinds. */
    CHECK_STATUS(lms_listener_remove((lms_listener){0}), LMS_ERR_INVALID_HANDLE);
    CHECK_STATUS(lms_listener_remove((lms_listener){FORGED_ID}), LMS_ERR_INVALID_HANDLE);
    CHECK_STATUS(lms_listener_remove(freed_listener), LMS_ERR_INVALID_HANDLE);
    CHECK_STATUS(lms_listener_remove((lms_listener){t.id}), LMS_ERR_INVALID_HANDLE);
    CHECK_STATUS(lms_listener_remove((lms_listener){s.id}), LMS_ERR_INVALID_HANDLE);

    /* The good handles were not harmed by any of it. */
    CHECK(ready_state(t) == LMS_READY_STATE_LIVE);
    CHECK(stream_active(s));
    if (read_frame(t, &f)) {
        /* A frame handle is not a track, stream or listener either. */
        check_bad_track((lms_track){f.handle}, "a frame as a track");
        CHECK_STATUS(lms_stream_free((lms_stream){f.handle}), LMS_ERR_INVALID_HANDLE);
        CHECK_STATUS(lms_listener_remove((lms_listener){f.handle}), LMS_ERR_INVALID_HANDLE);
        CHECK_OK(lms_frame_release(&f));
    }
    CHECK_OK(lms_listener_remove(l));
    CHECK_OK(lms_track_free(t));
    CHECK_OK(lms_stream_free(s));
}

/* Every handle is freed once: the second free is an invalid handle. */
static void double_frees_are_invalid_handles(void) {
    lms_stream s;
    lms_track t;
    lms_listener l = {0};
    lms_frame f;
    configure(CONFIG_UNPACED);
    s = open_stream("{\"video\": {\"width\": 160, \"height\": 120}}");
    t = first_track(s, LMS_TRACK_KIND_VIDEO);
    CHECK_OK(lms_track_add_event_listener(t, ignore_event, NULL, &l));
    if (read_frame(t, &f)) {
        CHECK_OK(lms_frame_release(&f));
        CHECK_STATUS(lms_frame_release(&f), LMS_ERR_INVALID_HANDLE);
    }
    CHECK_OK(lms_listener_remove(l));
    CHECK_STATUS(lms_listener_remove(l), LMS_ERR_INVALID_HANDLE);
    CHECK_OK(lms_track_free(t));
    CHECK_STATUS(lms_track_free(t), LMS_ERR_INVALID_HANDLE);
    CHECK_OK(lms_stop(s));
    CHECK_OK(lms_stream_free(s));
    CHECK_STATUS(lms_stream_free(s), LMS_ERR_INVALID_HANDLE);
    CHECK_STATUS(lms_stop(s), LMS_ERR_INVALID_HANDLE);
}

/* Frames: NULL, zero, forged, released and callback-owned frames. */
static void invalid_frames_are_refused(void) {
    lms_track t;
    lms_frame f, out, copy;
    uint64_t painted = 42;
    configure(CONFIG_UNPACED);
    t = open_track("{\"video\": {\"width\": 160, \"height\": 120}}", LMS_TRACK_KIND_VIDEO);
    CHECK_STATUS(lms_frame_release(NULL), LMS_ERR_INVALID_ARGUMENT);
    poison_frame(&out);
    CHECK_STATUS(lms_frame_retain(NULL, &out), LMS_ERR_INVALID_ARGUMENT);
    CHECK(frame_poisoned(&out));
    CHECK_STATUS(lms_frame_decode_sequence(NULL, &painted), LMS_ERR_INVALID_ARGUMENT);
    CHECK_INT_EQ(painted, 42);
    if (read_frame(t, &f)) {
        CHECK_STATUS(lms_frame_retain(&f, NULL), LMS_ERR_INVALID_ARGUMENT);
        CHECK_STATUS(lms_frame_decode_sequence(&f, NULL), LMS_ERR_INVALID_ARGUMENT);
        memcpy(&copy, &f, sizeof f);
        copy.handle = 0;
        CHECK_STATUS(lms_frame_release(&copy), LMS_ERR_INVALID_HANDLE);
        CHECK_STATUS(lms_frame_retain(&copy, &out), LMS_ERR_INVALID_HANDLE);
        CHECK_STATUS(lms_frame_decode_sequence(&copy, &painted), LMS_ERR_INVALID_HANDLE);
        copy.handle = FORGED_ID;
        CHECK_STATUS(lms_frame_release(&copy), LMS_ERR_INVALID_HANDLE);
        copy.handle = t.id; /* a track is not a frame */
        CHECK_STATUS(lms_frame_release(&copy), LMS_ERR_INVALID_HANDLE);
        CHECK(frame_poisoned(&out));
        CHECK_INT_EQ(painted, 42);
        /* The real frame is still fine after all that. */
        CHECK_OK(lms_frame_decode_sequence(&f, &painted));
        CHECK_INT_EQ(painted, f.sequence);
        CHECK_OK(lms_frame_release(&f));
        CHECK_STATUS(lms_frame_retain(&f, &out), LMS_ERR_INVALID_HANDLE);
        CHECK(frame_poisoned(&out));
    }
    CHECK_OK(lms_track_free(t));
}

/* NULL for every pointer argument, with valid handles: INVALID_ARGUMENT. */
static void null_pointers_are_invalid_arguments(void) {
    lms_stream s, out_stream = {FORGED_ID};
    lms_track t, out_track = {FORGED_ID};
    lms_listener l = {FORGED_ID};
    uint64_t n = 42;
    char *str = SENTINEL_STRING;
    configure(CONFIG_UNPACED);
    s = open_stream("{\"video\": {\"width\": 160, \"height\": 120}}");
    t = first_track(s, LMS_TRACK_KIND_VIDEO);

    CHECK_STATUS(lms_configure(NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_enumerate_devices(NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_get_supported_constraints(NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_device_capabilities(NULL, &str), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_device_capabilities("fake:video:0", NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_on_device_change(NULL, NULL, &l), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_on_device_change(ignore_event, NULL, NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_fake_device_control(NULL, "mute"), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_fake_device_control("fake:video:0", NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_fake_device_usage(NULL, &n, &n), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_fake_device_usage("fake:video:0", NULL, &n), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_fake_device_usage("fake:video:0", &n, NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_INT_EQ(n, 42);

    CHECK_STATUS(lms_open(NULL, &out_stream), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_open("{\"video\": true}", NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_stream_new(NULL, 1, &out_stream), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_stream_new(&t, 1, NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_stream_new(NULL, 0, NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_stream_clone(s, NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_stream_id(s, NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_stream_active(s, NULL), LMS_ERR_INVALID_ARGUMENT);
    {
        size_t count = 12345;
        CHECK_STATUS(lms_stream_tracks(s, NULL, 1, &count), LMS_ERR_INVALID_ARGUMENT);
        CHECK_STATUS(lms_stream_tracks(s, &out_track, 1, NULL), LMS_ERR_INVALID_ARGUMENT);
        CHECK_STATUS(lms_stream_tracks(s, NULL, 0, NULL), LMS_ERR_INVALID_ARGUMENT);
        CHECK_INT_EQ(count, 12345);
    }
    CHECK_STATUS(lms_stream_track_by_id(s, NULL, &out_track), LMS_ERR_INVALID_ARGUMENT);
    {
        char id[64];
        track_id(t, id, sizeof id);
        CHECK_STATUS(lms_stream_track_by_id(s, id, NULL), LMS_ERR_INVALID_ARGUMENT);
    }

    CHECK_STATUS(lms_track_clone(t, NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_track_kind_of(t, NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_track_id(t, NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_track_label(t, NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_track_ready_state(t, NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_track_enabled(t, NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_track_muted(t, NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_track_settings(t, NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_track_capabilities(t, NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_track_constraints(t, NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_track_apply_constraints(t, NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_track_read_frame(t, 0, NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_track_stats_get(t, NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_track_add_event_listener(t, NULL, NULL, &l), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_track_add_event_listener(t, ignore_event, NULL, NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_track_take_photo(t, NULL, 0, NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_track_grab_frame(t, 0, NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_track_photo_capabilities(t, NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_track_photo_settings(t, NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_photo_free(NULL), LMS_ERR_INVALID_ARGUMENT);
    /* NULL callback is not an error: it clears push delivery. */
    CHECK_OK(lms_track_set_frame_callback(t, NULL, NULL));

    CHECK(str == SENTINEL_STRING);
    CHECK(out_stream.id == FORGED_ID && out_track.id == FORGED_ID && l.id == FORGED_ID);
    /* Every error left a message on this thread. */
    CHECK(*lms_last_error_message() != '\0');
    CHECK(ready_state(t) == LMS_READY_STATE_LIVE);
    CHECK_OK(lms_track_free(t));
    CHECK_OK(lms_stop(s));
    CHECK_OK(lms_stream_free(s));
}

/* Bad JSON and bad text: errors, not crashes; out-parameters untouched. */
static void malformed_text_is_an_error(void) {
    static const char *bad_json[] = {"", "{", "null", "42", "\"video\"", "{\"video\": {\"width\": {\"exact\": \"wide\"}}}",
                                     "{\"video\": \"yes\"}", "{\"video\": {\"width\": {\"min\": \"-5\"}}}"};
    static const char not_utf8[] = {'{', '"', 'v', 'i', 'd', 'e', 'o', '\xff', '"', ':', 't', 'r', 'u', 'e', '}', 0};
    lms_stream s = {FORGED_ID};
    lms_track t;
    char before[2048], after[2048];
    size_t i;
    configure(CONFIG_UNPACED);
    for (i = 0; i < sizeof bad_json / sizeof bad_json[0]; i++) {
        lms_status st = lms_open(bad_json[i], &s);
        CHECK_MSG(st == LMS_ERR_TYPE, "lms_open(%s) gave %s, not TypeError", bad_json[i], lms_status_name(st));
        CHECK(s.id == FORGED_ID);
    }
    CHECK(lms_open(not_utf8, &s) != LMS_OK);
    CHECK(s.id == FORGED_ID);
    CHECK(lms_configure(not_utf8) != LMS_OK);
    CHECK(lms_fake_device_control(not_utf8, "mute") != LMS_OK);
    CHECK_STR_EQ(lms_status_name((lms_status)999), "UnknownStatus");
    CHECK_STR_EQ(lms_status_name((lms_status)-1), "UnknownStatus");

    t = open_track("{\"video\": {\"width\": 160, \"height\": 120}}", LMS_TRACK_KIND_VIDEO);
    track_settings(t, before, sizeof before);
    for (i = 0; i < sizeof bad_json / sizeof bad_json[0]; i++) {
        lms_status st = lms_track_apply_constraints(t, bad_json[i]);
        /* Some of these are valid MediaTrackConstraints ("{}" shapes); none may crash, and
         * one that fails must leave the settings as they were. */
        CHECK_MSG(st != LMS_ERR_INTERNAL, "apply(%s) gave %s", bad_json[i], lms_status_name(st));
        if (st != LMS_OK) {
            track_settings(t, after, sizeof after);
            CHECK_MSG(strcmp(after, before) == 0, "a failed apply(%s) changed the settings", bad_json[i]);
        } else {
            CHECK_OK(lms_track_apply_constraints(t, "{\"width\": 160, \"height\": 120}"));
        }
    }
    CHECK(lms_track_apply_constraints(t, "{") != LMS_OK);
    CHECK(lms_track_apply_constraints(t, not_utf8) != LMS_OK);
    CHECK_OK(lms_track_apply_constraints(t, "{\"width\": 160, \"height\": 120}"));
    track_settings(t, after, sizeof after);
    CHECK_STR_EQ(after, before);
    {
        lms_track out = {FORGED_ID};
        lms_status st = lms_stream_track_by_id((lms_stream){FORGED_ID}, not_utf8, &out);
        /* Two things are wrong: either may be reported. */
        CHECK(st == LMS_ERR_INVALID_HANDLE || st == LMS_ERR_INVALID_ARGUMENT);
        CHECK(out.id == FORGED_ID);
    }
    CHECK_OK(lms_track_free(t));
}

/* Values converted as WebIDL converts them ([Clamp] unsigned long: -1 is 0), the
 * echoCancellation modes, and Chromium's limit on constraint strings (500 UTF-16 code
 * units: TypeError "Constraint string too long."). */
static void constraint_values_are_converted_as_in_a_browser(void) {
    char json[700];
    lms_stream s = {FORGED_ID};
    configure(CONFIG_UNPACED);
    CHECK_STATUS(lms_open("{\"video\": {\"width\": {\"max\": -1}}}", &s), LMS_ERR_OVERCONSTRAINED);
    CHECK_STR_EQ(lms_last_error_constraint(), "width");
    /* echoCancellation is (boolean or EchoCancellationModeEnum): "all" is a mode of its own. */
    CHECK_OK(lms_open("{\"audio\": {\"echoCancellation\": {\"exact\": \"all\"}}}", &s));
    CHECK_OK(lms_stream_free(s));
    s.id = FORGED_ID; /* the failures below must leave it as it is */
    CHECK_STATUS(lms_open("{\"audio\": {\"voiceIsolation\": {\"exact\": true}}}", &s), LMS_ERR_OVERCONSTRAINED);
    CHECK_STR_EQ(lms_last_error_constraint(), "voiceIsolation");
    CHECK_STATUS(lms_open("{\"audio\": {\"echoCancellation\": \"on\"}}", &s), LMS_ERR_TYPE);
    CHECK(s.id == FORGED_ID);
    snprintf(json, sizeof json, "{\"video\": {\"deviceId\": {\"exact\": \"%0501d\"}}}", 0);
    CHECK_STATUS(lms_open(json, &s), LMS_ERR_TYPE);
    CHECK_MSG(strstr(lms_last_error_message(), "Constraint string too long.") != NULL, "%s",
              lms_last_error_message());
    snprintf(json, sizeof json, "{\"audio\": {\"groupId\": {\"ideal\": \"%0501d\"}}}", 0);
    CHECK_STATUS(lms_open(json, &s), LMS_ERR_TYPE);
    CHECK(s.id == FORGED_ID);
    s = open_stream("{\"audio\": {\"echoCancellation\": \"remote-only\", \"width\": {\"max\": -1}}}");
    CHECK_OK(lms_stop(s));
    CHECK_OK(lms_stream_free(s));
}

int main(void) {
    static const harness_case cases[] = {
        TEST(invalid_handles_are_refused_everywhere),
        TEST(double_frees_are_invalid_handles),
        TEST(invalid_frames_are_refused),
        TEST(null_pointers_are_invalid_arguments),
        TEST(malformed_text_is_an_error),
        TEST(constraint_values_are_converted_as_in_a_browser),
    };
    return RUN_TESTS(cases);
}
