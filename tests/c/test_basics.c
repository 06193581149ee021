/*
 * The library as a whole: version, status names, per-thread errors,
 * configuration, enumerateDevices, supported constraints, device
 * capabilities, and getUserMedia (lms_open) rules 1-7 and 24-25 of
 * CONFORMANCE.md.
 */
#include "lms_test.h"

static void version_is_a_dotted_number(void) {
    const char *v = lms_version();
    CHECK(v != NULL);
    if (v != NULL) {
        CHECK(isdigit((unsigned char)v[0]));
        CHECK(strchr(v, '.') != NULL);
        CHECK(v == lms_version() || strcmp(v, lms_version()) == 0);
    }
}

static void status_numbers_are_stable(void) {
    CHECK_INT_EQ(LMS_OK, 0);
    CHECK_INT_EQ(LMS_ERR_TYPE, 1);
    CHECK_INT_EQ(LMS_ERR_NOT_FOUND, 2);
    CHECK_INT_EQ(LMS_ERR_NOT_READABLE, 3);
    CHECK_INT_EQ(LMS_ERR_OVERCONSTRAINED, 4);
    CHECK_INT_EQ(LMS_ERR_NOT_ALLOWED, 5);
    CHECK_INT_EQ(LMS_ERR_ABORT, 6);
    CHECK_INT_EQ(LMS_ERR_INVALID_STATE, 7);
    CHECK_INT_EQ(LMS_ERR_INVALID_HANDLE, 8);
    CHECK_INT_EQ(LMS_ERR_INVALID_ARGUMENT, 9);
    CHECK_INT_EQ(LMS_ERR_TIMEOUT, 10);
    CHECK_INT_EQ(LMS_ERR_ENDED, 11);
    CHECK_INT_EQ(LMS_ERR_INTERNAL, 12);
    CHECK_INT_EQ(LMS_TRACK_KIND_AUDIO, 0);
    CHECK_INT_EQ(LMS_TRACK_KIND_VIDEO, 1);
    CHECK_INT_EQ(LMS_READY_STATE_LIVE, 0);
    CHECK_INT_EQ(LMS_READY_STATE_ENDED, 1);
    CHECK_INT_EQ(LMS_EVENT_ENDED, 0);
    CHECK_INT_EQ(LMS_EVENT_MUTE, 1);
    CHECK_INT_EQ(LMS_EVENT_UNMUTE, 2);
    CHECK_INT_EQ(LMS_EVENT_DEVICE_CHANGE, 3);
    CHECK_INT_EQ(LMS_PIXEL_FORMAT_I420, 0);
    CHECK_INT_EQ(LMS_PIXEL_FORMAT_MJPEG, 7);
    CHECK_INT_EQ(LMS_SAMPLE_FORMAT_F32, 0);
    CHECK_INT_EQ(LMS_SAMPLE_FORMAT_S16, 1);
}

static void status_names_are_the_specification_error_names(void) {
    static const struct {
        lms_status status;
        const char *name;
    } names[] = {
        {LMS_ERR_TYPE, "TypeError"},
        {LMS_ERR_NOT_FOUND, "NotFoundError"},
        {LMS_ERR_NOT_READABLE, "NotReadableError"},
        {LMS_ERR_OVERCONSTRAINED, "OverconstrainedError"},
        {LMS_ERR_NOT_ALLOWED, "NotAllowedError"},
        {LMS_ERR_ABORT, "AbortError"},
        {LMS_ERR_INVALID_STATE, "InvalidStateError"},
        {LMS_ERR_INVALID_HANDLE, "InvalidHandleError"},
        {LMS_ERR_INVALID_ARGUMENT, "InvalidArgumentError"},
        {LMS_ERR_TIMEOUT, "TimeoutError"},
        {LMS_ERR_ENDED, "EndedError"},
        {LMS_ERR_INTERNAL, "InternalError"},
    };
    size_t i;
    const char *ok = lms_status_name(LMS_OK);
    CHECK(ok != NULL && *ok != '\0');
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        CHECK_STR_EQ(lms_status_name(names[i].status), names[i].name);
    }
}

static void last_error_names_the_overconstrained_constraint_only(void) {
    lms_stream s = {0};
    configure(CONFIG_UNPACED);
    CHECK_STATUS(lms_open("{}", &s), LMS_ERR_TYPE);
    CHECK(lms_last_error_message() != NULL && *lms_last_error_message() != '\0');
    CHECK_STR_EQ(lms_last_error_constraint(), "");
    CHECK_STATUS(lms_open("{\"video\": {\"width\": {\"exact\": 100000000}}}", &s), LMS_ERR_OVERCONSTRAINED);
    CHECK_STR_EQ(lms_last_error_constraint(), "width");
    CHECK(*lms_last_error_message() != '\0');
    CHECK_INT_EQ(s.id, 0);
}

typedef struct thread_errors {
    char message_before[256];
    char constraint_before[64];
    char constraint_after[64];
    lms_status status;
} thread_errors;

static void *cause_overconstrained(void *arg) {
    thread_errors *e = (thread_errors *)arg;
    lms_stream s = {0};
    snprintf(e->message_before, sizeof e->message_before, "%s", lms_last_error_message());
    snprintf(e->constraint_before, sizeof e->constraint_before, "%s", lms_last_error_constraint());
    e->status = lms_open("{\"video\": {\"height\": {\"min\": 100000000}}}", &s);
    snprintf(e->constraint_after, sizeof e->constraint_after, "%s", lms_last_error_constraint());
    return NULL;
}

static void last_error_is_per_thread(void) {
    pthread_t thread;
    thread_errors e;
    lms_stream s = {0};
    char mine[512];
    configure(CONFIG_UNPACED);
    CHECK_STATUS(lms_open("{\"audio\": false, \"video\": false}", &s), LMS_ERR_TYPE);
    snprintf(mine, sizeof mine, "%s", lms_last_error_message());
    memset(&e, 0, sizeof e);
    CHECK(pthread_create(&thread, NULL, cause_overconstrained, &e) == 0);
    pthread_join(thread, NULL);
    CHECK_STR_EQ(e.message_before, "");
    CHECK_STR_EQ(e.constraint_before, "");
    CHECK_INT_EQ(e.status, LMS_ERR_OVERCONSTRAINED);
    CHECK_STR_EQ(e.constraint_after, "height");
    CHECK_STR_EQ(lms_last_error_message(), mine);
    CHECK_STR_EQ(lms_last_error_constraint(), "");
}

static void configure_rejects_bad_documents(void) {
    CHECK_OK(lms_configure(CONFIG_UNPACED));
    CHECK(lms_configure("{not json") != LMS_OK);
    CHECK(*lms_last_error_message() != '\0');
    CHECK(lms_configure("[1, 2]") != LMS_OK);
    CHECK_STATUS(lms_configure(NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_OK(lms_configure("{\"backends\": [\"fake\"], \"fake\": {\"video\": 1, \"audio\": 0}}"));
    {
        char *json = NULL;
        CHECK_OK(lms_enumerate_devices(&json));
        if (json != NULL) {
            CHECK_INT_EQ(count_occurrences(json, "\"deviceId\""), 1);
        }
        lms_string_free(json);
    }
    lms_string_free(NULL);
}

/* Reconfiguring replaces the devices; tracks already open keep running. */
static void configure_keeps_open_tracks_running(void) {
    lms_track t;
    lms_frame f;
    uint64_t opens = 9, closes = 9;
    configure(CONFIG_UNPACED);
    t = open_track("{\"video\": {\"width\": 160, \"height\": 120}}", LMS_TRACK_KIND_VIDEO);
    configure("{\"backends\": [\"fake\"], \"fake\": {\"pacing\": \"none\", \"video\": 1, \"audio\": 1}}");
    device_usage("fake:video:0", &opens, &closes);
    CHECK_MSG(opens == 0 && closes == 0, "new devices, new counters: %llu/%llu", (unsigned long long)opens,
              (unsigned long long)closes);
    CHECK(ready_state(t) == LMS_READY_STATE_LIVE);
    if (read_frame(t, &f)) {
        CHECK_INT_EQ(f.width, 160);
        CHECK_OK(lms_frame_release(&f));
    }
    CHECK_OK(lms_track_free(t));
}

/* Rule 24: inputs with kind, deviceId, label and groupId, the same twice, in the
 * specification's order: microphones, then cameras, each kind's default first. */
static void rule_24_enumerate_devices_lists_inputs_stably(void) {
    char *a = NULL, *b = NULL;
    char device[512], value[128];
    static const char *ids[] = {"fake:audio:0", "fake:video:0", "fake:video:1"};
    size_t i;
    configure(CONFIG_UNPACED);
    CHECK_OK(lms_enumerate_devices(&a));
    CHECK_OK(lms_enumerate_devices(&b));
    if (a == NULL || b == NULL) {
        CHECK(0);
        return;
    }
    CHECK_STR_EQ(a, b);
    CHECK(a[0] == '[');
    CHECK_INT_EQ(count_occurrences(a, "\"deviceId\""), 3);
    CHECK(strstr(a, "fake:audio:0") < strstr(a, "fake:video:0"));
    CHECK(strstr(a, "fake:video:0") < strstr(a, "fake:video:1"));
    for (i = 0; i < 3; i++) {
        char needle[64];
        snprintf(needle, sizeof needle, "\"%s\"", ids[i]);
        CHECK_MSG(json_object_around(a, needle, device, sizeof device), "%s not in %s", ids[i], a);
        CHECK(json_string(device, "kind", value, sizeof value) &&
              strcmp(value, i == 0 ? "audioinput" : "videoinput") == 0);
        CHECK(json_string(device, "label", value, sizeof value) && value[0] != '\0');
        CHECK(json_string(device, "groupId", value, sizeof value) && value[0] != '\0');
    }
    lms_string_free(a);
    lms_string_free(b);
}

/* Rule 25: every supported constraint is listed as true. */
static void rule_25_supported_constraints_are_all_true(void) {
    static const char *names[] = {
        "deviceId", "groupId", "width", "height", "aspectRatio", "frameRate",
        "facingMode", "resizeMode", "sampleRate", "sampleSize", "channelCount", "latency",
        "echoCancellation", "autoGainControl", "noiseSuppression", "voiceIsolation", "pixelFormat",
        "sampleFormat",
    };
    char *json = NULL;
    size_t i;
    CHECK_OK(lms_get_supported_constraints(&json));
    if (json == NULL) {
        return;
    }
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        bool value = false;
        CHECK_MSG(json_bool(json, names[i], &value) && value, "%s is not true in %s", names[i], json);
    }
    lms_string_free(json);
}

static void device_capabilities_describe_a_device_without_opening_it(void) {
    char *json = NULL;
    double min = 0, max = 0;
    uint64_t opens = 9, closes = 9;
    char value[128];
    configure(CONFIG_UNPACED);
    CHECK_OK(lms_device_capabilities("fake:video:0", &json));
    if (json != NULL) {
        CHECK(json_range(json, "width", &min, &max) && min <= max && max >= 640);
        CHECK(json_range(json, "height", &min, &max) && min <= max && max >= 480);
        CHECK(json_range(json, "frameRate", &min, &max) && min <= max);
        CHECK(json_string(json, "deviceId", value, sizeof value) && strcmp(value, "fake:video:0") == 0);
        CHECK(strstr(json, "I420") != NULL);
    }
    lms_string_free(json);
    json = NULL;
    CHECK_OK(lms_device_capabilities("fake:audio:0", &json));
    if (json != NULL) {
        CHECK(json_range(json, "sampleRate", &min, &max) && min <= max && max >= 48000);
        CHECK(json_range(json, "channelCount", &min, &max) && min <= max);
    }
    lms_string_free(json);
    device_usage("fake:video:0", &opens, &closes);
    CHECK_INT_EQ(opens, 0);
    json = (char *)&opens;
    CHECK_STATUS(lms_device_capabilities("nope", &json), LMS_ERR_NOT_FOUND);
    CHECK(json == (char *)&opens);
}

/* Rule 1: no kind requested is a TypeError. */
static void rule_01_no_kind_requested_is_a_type_error(void) {
    static const char *cases[] = {
        "{}",
        "{\"audio\": false, \"video\": false}",
        "{\"audio\": false}",
    };
    size_t i;
    configure(CONFIG_UNPACED);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lms_stream s = {FORGED_ID};
        lms_status st = lms_open(cases[i], &s);
        CHECK_MSG(st == LMS_ERR_TYPE, "%s gave %s", cases[i], lms_status_name(st));
        CHECK_MSG(s.id == FORGED_ID, "%s wrote the out-parameter on failure", cases[i]);
    }
    {
        lms_stream s = {FORGED_ID};
        CHECK(lms_open("not json at all", &s) != LMS_OK);
        CHECK(lms_open("[true]", &s) != LMS_OK);
        CHECK(s.id == FORGED_ID);
    }
}

/* Rule 2: an impossible required constraint is an OverconstrainedError naming it. */
static void rule_02_an_impossible_required_constraint_is_overconstrained_naming_it(void) {
    static const struct {
        const char *constraints;
        const char *name;
    } cases[] = {
        {"{\"video\": {\"width\": {\"min\": 100000000}}}", "width"},
        {"{\"video\": {\"facingMode\": {\"exact\": \"\"}}}", "facingMode"},
        {"{\"video\": {\"deviceId\": {\"exact\": \"nope\"}}}", "deviceId"},
        {"{\"audio\": {\"deviceId\": {\"exact\": \"nope\"}}}", "deviceId"},
        {"{\"video\": {\"height\": {\"max\": 0}}}", "height"},
        {"{\"audio\": true, \"video\": {\"frameRate\": {\"min\": 100000}}}", "frameRate"},
        {"{\"audio\": {\"sampleRate\": {\"exact\": 3}}}", "sampleRate"},
    };
    size_t i;
    uint64_t opens = 0, closes = 0;
    configure(CONFIG_UNPACED);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lms_stream s = {FORGED_ID};
        lms_status st = lms_open(cases[i].constraints, &s);
        CHECK_MSG(st == LMS_ERR_OVERCONSTRAINED, "%s gave %s", cases[i].constraints, lms_status_name(st));
        CHECK_MSG(strcmp(lms_last_error_constraint(), cases[i].name) == 0, "%s named \"%s\"",
                  cases[i].constraints, lms_last_error_constraint());
        CHECK(s.id == FORGED_ID);
    }
    /* A failed request leaves no device open (the audio of the frameRate case). */
    device_usage("fake:audio:0", &opens, &closes);
    CHECK_INT_EQ(opens, closes);
}

/* Rule 3: unknown keys, and constraints of the other kind, are ignored. */
static void rule_03_unknown_keys_and_constraints_of_the_other_kind_are_ignored(void) {
    lms_stream s;
    configure(CONFIG_UNPACED);
    s = open_stream("{\"video\": {\"bogus\": {\"exact\": 1}}, \"audio\": {\"width\": {\"min\": 100000000}, "
                    "\"frameRate\": {\"exact\": -1}}, \"peerIdentity\": \"x\"}");
    if (s.id != 0) {
        CHECK_INT_EQ(count_tracks(s, -1), 2);
        CHECK_OK(lms_stop(s));
        CHECK_OK(lms_stream_free(s));
    }
}

/* Rule 4: an advanced set that cannot be satisfied is skipped. */
static void rule_04_an_unsatisfiable_advanced_set_is_skipped(void) {
    lms_track t;
    configure(CONFIG_UNPACED);
    t = open_track("{\"video\": {\"advanced\": [{\"width\": 100000000}, {\"width\": 320}]}}", LMS_TRACK_KIND_VIDEO);
    if (t.id != 0) {
        CHECK_INT_EQ(settings_int(t, "width"), 320);
        CHECK_OK(lms_track_free(t));
    }
}

/* Rule 5: width {ideal: 320, min: 160} gives 320. */
static void rule_05_width_ideal_within_min_is_delivered(void) {
    lms_track t;
    lms_frame f;
    configure(CONFIG_UNPACED);
    t = open_track("{\"video\": {\"width\": {\"ideal\": 320, \"min\": 160}}}", LMS_TRACK_KIND_VIDEO);
    if (t.id == 0) {
        return;
    }
    CHECK_INT_EQ(settings_int(t, "width"), 320);
    if (read_frame(t, &f)) {
        CHECK_INT_EQ(f.width, 320);
        CHECK_OK(lms_frame_release(&f));
    }
    CHECK_OK(lms_track_free(t));
}

/* Rule 6: audio-only gives one audio track and no video track; and the reverse. */
static void rule_06_audio_only_and_video_only(void) {
    lms_stream s;
    configure(CONFIG_UNPACED);
    s = open_stream("{\"audio\": true}");
    CHECK_INT_EQ(count_tracks(s, LMS_TRACK_KIND_AUDIO), 1);
    CHECK_INT_EQ(count_tracks(s, LMS_TRACK_KIND_VIDEO), 0);
    CHECK_OK(lms_stop(s));
    CHECK_OK(lms_stream_free(s));
    s = open_stream("{\"video\": true, \"audio\": false}");
    CHECK_INT_EQ(count_tracks(s, LMS_TRACK_KIND_AUDIO), 0);
    CHECK_INT_EQ(count_tracks(s, LMS_TRACK_KIND_VIDEO), 1);
    CHECK_OK(lms_stop(s));
    CHECK_OK(lms_stream_free(s));
    s = open_stream("{\"video\": true, \"audio\": true}");
    CHECK_INT_EQ(count_tracks(s, LMS_TRACK_KIND_AUDIO), 1);
    CHECK_INT_EQ(count_tracks(s, LMS_TRACK_KIND_VIDEO), 1);
    CHECK_OK(lms_stop(s));
    CHECK_OK(lms_stream_free(s));
}

/* Rule 7: NotFound without a device, NotReadable when busy, NotAllowed by policy. */
static void rule_07_not_found_not_readable_not_allowed(void) {
    lms_stream s = {FORGED_ID}, ok;
    configure("{\"backends\": [\"fake\"], \"fake\": {\"pacing\": \"none\", \"video\": 0, \"audio\": 1}}");
    CHECK_STATUS(lms_open("{\"video\": true}", &s), LMS_ERR_NOT_FOUND);
    configure("{\"backends\": []}");
    CHECK_STATUS(lms_open("{\"audio\": true}", &s), LMS_ERR_NOT_FOUND);
    CHECK(s.id == FORGED_ID);

    configure(CONFIG_UNPACED);
    CHECK_OK(lms_fake_device_control("fake:video:0", "busy"));
    CHECK_OK(lms_fake_device_control("fake:video:1", "busy"));
    CHECK_STATUS(lms_open("{\"video\": true}", &s), LMS_ERR_NOT_READABLE);
    CHECK(s.id == FORGED_ID);
    CHECK_OK(lms_fake_device_control("fake:video:0", "free"));
    ok = open_stream("{\"video\": true}");
    CHECK_OK(lms_stop(ok));
    CHECK_OK(lms_stream_free(ok));

    configure("{\"backends\": [\"fake\"], \"fake\": {\"pacing\": \"none\"}, \"permissions\": {\"camera\": \"denied\"}}");
    CHECK_STATUS(lms_open("{\"video\": true}", &s), LMS_ERR_NOT_ALLOWED);
    CHECK_STATUS(lms_open("{\"video\": true, \"audio\": true}", &s), LMS_ERR_NOT_ALLOWED);
    CHECK(s.id == FORGED_ID);
    ok = open_stream("{\"audio\": true}");
    CHECK_INT_EQ(count_tracks(ok, LMS_TRACK_KIND_AUDIO), 1);
    CHECK_OK(lms_stop(ok));
    CHECK_OK(lms_stream_free(ok));
}

int main(void) {
    static const harness_case cases[] = {
        TEST(version_is_a_dotted_number),
        TEST(status_numbers_are_stable),
        TEST(status_names_are_the_specification_error_names),
        TEST(last_error_names_the_overconstrained_constraint_only),
        TEST(last_error_is_per_thread),
        TEST(configure_rejects_bad_documents),
        TEST(configure_keeps_open_tracks_running),
        TEST(rule_24_enumerate_devices_lists_inputs_stably),
        TEST(rule_25_supported_constraints_are_all_true),
        TEST(device_capabilities_describe_a_device_without_opening_it),
        TEST(rule_01_no_kind_requested_is_a_type_error),
        TEST(rule_02_an_impossible_required_constraint_is_overconstrained_naming_it),
        TEST(rule_03_unknown_keys_and_constraints_of_the_other_kind_are_ignored),
        TEST(rule_04_an_unsatisfiable_advanced_set_is_skipped),
        TEST(rule_05_width_ideal_within_min_is_delivered),
        TEST(rule_06_audio_only_and_video_only),
        TEST(rule_07_not_found_not_readable_not_allowed),
    };
    return RUN_TESTS(cases);
}
