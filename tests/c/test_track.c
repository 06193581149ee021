/*
 * MediaStreamTrack (lms_track_*): rules 14-23 of CONFORMANCE.md, labels,
 * constraints and statistics.
 */
#include "lms_test.h"

#define VIDEO_SMALL "{\"video\": {\"width\": 160, \"height\": 120}}"

/* Rule 14: a new track is live, enabled, unmuted, with a kind and a distinct UUID. */
static void rule_14_a_new_track_is_live_enabled_unmuted_with_a_kind_and_distinct_id(void) {
    lms_stream s;
    lms_track v, a;
    bool enabled = false, muted = true;
    lms_track_kind kind = (lms_track_kind)77;
    char vid[64], aid[64];
    configure(CONFIG_UNPACED);
    s = open_stream("{\"video\": {\"width\": 160, \"height\": 120}, \"audio\": true}");
    v = first_track(s, LMS_TRACK_KIND_VIDEO);
    a = first_track(s, LMS_TRACK_KIND_AUDIO);
    CHECK(ready_state(v) == LMS_READY_STATE_LIVE);
    CHECK(ready_state(a) == LMS_READY_STATE_LIVE);
    CHECK_OK(lms_track_enabled(v, &enabled));
    CHECK(enabled);
    CHECK_OK(lms_track_muted(v, &muted));
    CHECK(!muted);
    muted = true;
    CHECK_OK(lms_track_muted(a, &muted));
    CHECK(!muted);
    CHECK_OK(lms_track_kind_of(v, &kind));
    CHECK(kind == LMS_TRACK_KIND_VIDEO);
    CHECK_OK(lms_track_kind_of(a, &kind));
    CHECK(kind == LMS_TRACK_KIND_AUDIO);
    track_id(v, vid, sizeof vid);
    track_id(a, aid, sizeof aid);
    CHECK_MSG(is_uuid(vid) && is_uuid(aid), "\"%s\" \"%s\"", vid, aid);
    CHECK(strcmp(vid, aid) != 0);
    CHECK_OK(lms_track_free(v));
    CHECK_OK(lms_track_free(a));
    CHECK_OK(lms_stop(s));
    CHECK_OK(lms_stream_free(s));
}

static void labels_are_the_device_labels(void) {
    lms_track v, a;
    char *label = NULL;
    configure(CONFIG_UNPACED);
    v = open_track("{\"video\": {\"deviceId\": {\"exact\": \"fake:video:1\"}}}", LMS_TRACK_KIND_VIDEO);
    a = open_track("{\"audio\": true}", LMS_TRACK_KIND_AUDIO);
    CHECK_OK(lms_track_label(v, &label));
    CHECK_STR_EQ(label, "Fake Camera 1");
    lms_string_free(label);
    label = NULL;
    CHECK_OK(lms_track_label(a, &label));
    CHECK_STR_EQ(label, "Fake Microphone 0");
    lms_string_free(label);
    CHECK_OK(lms_track_free(v));
    CHECK_OK(lms_track_free(a));
}

/* Rule 15: stop ends at once, fires no ended, and is idempotent. */
static void rule_15_stop_ends_at_once_fires_no_ended_and_is_idempotent(void) {
    lms_track t;
    lms_listener l = {0};
    event_log log;
    lms_frame f;
    long long started;
    configure(CONFIG_UNPACED);
    event_log_init(&log);
    t = open_track(VIDEO_SMALL, LMS_TRACK_KIND_VIDEO);
    CHECK_OK(lms_track_add_event_listener(t, record_event, &log, &l));
    CHECK_OK(lms_track_stop(t));
    CHECK(ready_state(t) == LMS_READY_STATE_ENDED);
    CHECK_OK(lms_track_stop(t));
    CHECK(ready_state(t) == LMS_READY_STATE_ENDED);
    /* At once, not after waiting out the timeout (a long one, so that how busy
     * the machine is cannot matter). */
    started = now_ms();
    CHECK_STATUS(lms_track_read_frame(t, 60000, &f), LMS_ERR_ENDED);
    CHECK_MSG(now_ms() - started < 30000, "ENDED after %lld ms", now_ms() - started);
    CHECK(!device_is_open("fake:video:0"));
    sleep_ms(100); /* give a wrong ended event time to arrive */
    CHECK_INT_EQ(event_count(&log, LMS_EVENT_ENDED), 0);
    CHECK_OK(lms_listener_remove(l));
    CHECK_OK(lms_track_free(t));
    event_log_destroy(&log);
}

/* Rule 17: a clone has a new id, the same source and settings; a clone of ended is ended. */
static void rule_17_clones_share_the_source_and_a_clone_of_ended_is_ended(void) {
    lms_track t, c = {FORGED_ID}, cc = {0};
    char tid[64], cid[64], ts[2048], cs[2048], *tc = NULL, *ccj = NULL;
    bool enabled = true;
    uint64_t opens = 0, closes = 0;
    configure(CONFIG_UNPACED);
    t = open_track("{\"video\": {\"width\": 320, \"height\": 240}}", LMS_TRACK_KIND_VIDEO);
    CHECK_OK(lms_track_set_enabled(t, false));
    CHECK_OK(lms_track_clone(t, &c));
    CHECK(c.id != FORGED_ID && c.id != t.id);
    track_id(t, tid, sizeof tid);
    track_id(c, cid, sizeof cid);
    CHECK(is_uuid(cid) && strcmp(tid, cid) != 0);
    track_settings(t, ts, sizeof ts);
    track_settings(c, cs, sizeof cs);
    CHECK_STR_EQ(cs, ts);
    CHECK_OK(lms_track_constraints(t, &tc));
    CHECK_OK(lms_track_constraints(c, &ccj));
    CHECK_STR_EQ(ccj, tc);
    lms_string_free(tc);
    lms_string_free(ccj);
    CHECK_OK(lms_track_enabled(c, &enabled));
    CHECK_MSG(!enabled, "enabled is copied");
    device_usage("fake:video:0", &opens, &closes);
    CHECK_MSG(opens == 1 && closes == 0, "same source, not a second open: %llu/%llu",
              (unsigned long long)opens, (unsigned long long)closes);
    CHECK_OK(lms_track_stop(t));
    CHECK_OK(lms_track_clone(t, &cc));
    CHECK(ready_state(cc) == LMS_READY_STATE_ENDED);
    CHECK(ready_state(c) == LMS_READY_STATE_LIVE);
    CHECK_OK(lms_track_free(cc));
    CHECK_OK(lms_track_free(c));
    CHECK_OK(lms_track_free(t));
}

/* Rule 18: the device is released when the last track goes, and not before. */
static void rule_18_the_device_is_released_when_the_last_track_goes_and_not_before(void) {
    lms_stream s, second;
    lms_track t, c = {0};
    uint64_t opens = 0, closes = 0;
    configure(CONFIG_UNPACED);
    s = open_stream("{\"video\": true}");
    t = first_track(s, LMS_TRACK_KIND_VIDEO);
    CHECK_OK(lms_track_clone(t, &c));
    second = open_stream("{\"video\": {\"deviceId\": {\"exact\": \"fake:video:0\"}}}");
    device_usage("fake:video:0", &opens, &closes);
    CHECK_MSG(opens == 1 && closes == 0, "three tracks share one open: %llu/%llu",
              (unsigned long long)opens, (unsigned long long)closes);
    CHECK_OK(lms_track_stop(t));
    CHECK(device_is_open("fake:video:0"));
    CHECK_OK(lms_stop(second));
    CHECK(device_is_open("fake:video:0"));
    CHECK_OK(lms_stream_free(s));
    CHECK_OK(lms_track_free(t));
    CHECK_OK(lms_stream_free(second));
    CHECK_MSG(device_is_open("fake:video:0"), "the clone still uses the device");
    CHECK_OK(lms_track_free(c)); /* the last reference to a live track stops it */
    device_usage("fake:video:0", &opens, &closes);
    CHECK_INT_EQ(opens, 1);
    CHECK_INT_EQ(closes, 1);
    /* Opening again opens the device again. */
    t = open_track("{\"video\": true}", LMS_TRACK_KIND_VIDEO);
    device_usage("fake:video:0", &opens, &closes);
    CHECK_INT_EQ(opens, 2);
    CHECK_OK(lms_track_stop(t));
    device_usage("fake:video:0", &opens, &closes);
    CHECK_INT_EQ(closes, 2);
    CHECK_OK(lms_track_free(t));
}

/* Rule 19: a disabled track delivers black video and silent audio. */
static void rule_19_a_disabled_track_delivers_black_video_and_silent_audio(void) {
    lms_stream s;
    lms_track v, a;
    lms_frame f;
    int i;
    bool black = false, silent = false, live_not_black = false, enabled = true;
    configure(CONFIG_UNPACED);
    s = open_stream("{\"video\": {\"width\": 160, \"height\": 120}, \"audio\": true}");
    v = first_track(s, LMS_TRACK_KIND_VIDEO);
    a = first_track(s, LMS_TRACK_KIND_AUDIO);
    if (read_frame(v, &f)) {
        size_t k;
        for (k = 0; k < f.plane_sizes[0]; k++) {
            live_not_black = live_not_black || f.planes[0][k] > 100;
        }
        CHECK_OK(lms_frame_release(&f));
    }
    CHECK_MSG(live_not_black, "a live picture is not black");
    if (read_frame(a, &f)) {
        CHECK(!audio_is_silent(&f));
        CHECK_OK(lms_frame_release(&f));
    }
    CHECK_OK(lms_track_set_enabled(v, false));
    CHECK_OK(lms_track_set_enabled(a, false));
    CHECK_OK(lms_track_enabled(v, &enabled));
    CHECK(!enabled);
    /* Frames queued before disabling may still be live: skip past the queue. */
    for (i = 0; i < 20 && !black; i++) {
        if (!read_frame(v, &f)) {
            break;
        }
        CHECK_INT_EQ(f.width, 160);
        black = i420_is_black(&f);
        CHECK_OK(lms_frame_release(&f));
    }
    CHECK_MSG(black, "a disabled video track delivers black frames (Y=16, U=V=128)");
    for (i = 0; i < 20 && !silent; i++) {
        if (!read_frame(a, &f)) {
            break;
        }
        CHECK(f.sample_count > 0);
        silent = audio_is_silent(&f);
        CHECK_OK(lms_frame_release(&f));
    }
    CHECK_MSG(silent, "a disabled audio track delivers silence");
    /* Enabled again: pictures again. */
    CHECK_OK(lms_track_set_enabled(v, true));
    black = true;
    for (i = 0; i < 20 && black; i++) {
        if (!read_frame(v, &f)) {
            break;
        }
        black = i420_is_black(&f);
        CHECK_OK(lms_frame_release(&f));
    }
    CHECK(!black);
    CHECK_OK(lms_stop(s));
    CHECK_OK(lms_track_set_enabled(v, false)); /* allowed on an ended track */
    CHECK(ready_state(v) == LMS_READY_STATE_ENDED);
    CHECK_OK(lms_track_free(v));
    CHECK_OK(lms_track_free(a));
    CHECK_OK(lms_stream_free(s));
}

/* Rule 20: settings report what is delivered, with ids matching enumerateDevices. */
static void rule_20_settings_report_what_is_delivered_with_matching_ids(void) {
    lms_stream s;
    lms_track v, a;
    lms_track *both[2];
    char *devices = NULL, settings[2048], device[512], id[128], gid[128], listed_gid[128];
    lms_frame f;
    long long w = 0, h = 0, rate = 0;
    double fps = 0;
    int i;
    configure(CONFIG_UNPACED);
    s = open_stream("{\"video\": {\"width\": 352, \"height\": 288, \"frameRate\": 15}, "
                    "\"audio\": {\"sampleRate\": 16000}}");
    v = first_track(s, LMS_TRACK_KIND_VIDEO);
    a = first_track(s, LMS_TRACK_KIND_AUDIO);
    both[0] = &v;
    both[1] = &a;
    CHECK_OK(lms_enumerate_devices(&devices));
    for (i = 0; i < 2 && devices != NULL; i++) {
        char needle[160];
        track_settings(*both[i], settings, sizeof settings);
        CHECK_MSG(json_string(settings, "deviceId", id, sizeof id), "%s", settings);
        CHECK_MSG(json_string(settings, "groupId", gid, sizeof gid), "%s", settings);
        snprintf(needle, sizeof needle, "\"%s\"", id);
        CHECK_MSG(json_object_around(devices, needle, device, sizeof device), "%s not in %s", id, devices);
        CHECK(json_string(device, "groupId", listed_gid, sizeof listed_gid) && strcmp(listed_gid, gid) == 0);
        CHECK(json_string(device, "kind", id, sizeof id) &&
              strcmp(id, i == 0 ? "videoinput" : "audioinput") == 0);
    }
    lms_string_free(devices);

    track_settings(v, settings, sizeof settings);
    CHECK_MSG(json_int(settings, "width", &w) && json_int(settings, "height", &h),
              "width and height are integers: %s", settings);
    CHECK_INT_EQ(w, 352);
    CHECK_INT_EQ(h, 288);
    CHECK(json_number(settings, "frameRate", &fps) && fps == 15.0);
    if (read_frame(v, &f)) {
        CHECK_INT_EQ(f.width, w);
        CHECK_INT_EQ(f.height, h);
        CHECK_OK(lms_frame_release(&f));
    }
    track_settings(a, settings, sizeof settings);
    CHECK(json_int(settings, "sampleRate", &rate) && rate == 16000);
    if (read_frame(a, &f)) {
        CHECK_INT_EQ(f.sample_rate, 16000);
        CHECK_INT_EQ(f.sample_count, 160); /* 10 ms chunks */
        CHECK_OK(lms_frame_release(&f));
    }
    CHECK_OK(lms_track_free(v));
    CHECK_OK(lms_track_free(a));
    CHECK_OK(lms_stop(s));
    CHECK_OK(lms_stream_free(s));
}

/* Rule 21: capabilities have every property of the kind, ranges with min <= max. */
static void rule_21_capabilities_have_every_property_with_ordered_ranges(void) {
    static const char *video_props[] = {"width", "height", "aspectRatio", "frameRate", "facingMode",
                                        "resizeMode", "deviceId", "groupId", "pixelFormat"};
    static const char *video_ranges[] = {"width", "height", "aspectRatio", "frameRate"};
    static const char *audio_props[] = {"sampleRate", "sampleSize", "channelCount", "latency",
                                        "echoCancellation", "autoGainControl", "noiseSuppression",
                                        "voiceIsolation", "deviceId", "groupId", "sampleFormat"};
    static const char *audio_ranges[] = {"sampleRate", "sampleSize", "channelCount", "latency"};
    lms_stream s;
    lms_track v, a;
    char *caps = NULL, value[128];
    size_t i;
    double min, max;
    configure(CONFIG_UNPACED);
    s = open_stream("{\"video\": true, \"audio\": true}");
    v = first_track(s, LMS_TRACK_KIND_VIDEO);
    a = first_track(s, LMS_TRACK_KIND_AUDIO);
    CHECK_OK(lms_track_capabilities(v, &caps));
    if (caps != NULL) {
        for (i = 0; i < sizeof video_props / sizeof video_props[0]; i++) {
            CHECK_MSG(json_value(caps, video_props[i]) != NULL, "%s missing from %s", video_props[i], caps);
        }
        for (i = 0; i < sizeof video_ranges / sizeof video_ranges[0]; i++) {
            CHECK_MSG(json_range(caps, video_ranges[i], &min, &max) && min <= max, "%s in %s",
                      video_ranges[i], caps);
        }
        CHECK(json_string(caps, "deviceId", value, sizeof value) && strcmp(value, "fake:video:0") == 0);
        CHECK(json_string(caps, "groupId", value, sizeof value) && value[0] != '\0');
    }
    lms_string_free(caps);
    caps = NULL;
    CHECK_OK(lms_track_capabilities(a, &caps));
    if (caps != NULL) {
        for (i = 0; i < sizeof audio_props / sizeof audio_props[0]; i++) {
            CHECK_MSG(json_value(caps, audio_props[i]) != NULL, "%s missing from %s", audio_props[i], caps);
        }
        for (i = 0; i < sizeof audio_ranges / sizeof audio_ranges[0]; i++) {
            CHECK_MSG(json_range(caps, audio_ranges[i], &min, &max) && min <= max, "%s in %s",
                      audio_ranges[i], caps);
        }
        CHECK(json_string(caps, "deviceId", value, sizeof value) && strcmp(value, "fake:audio:0") == 0);
        CHECK(json_string(caps, "groupId", value, sizeof value) && value[0] != '\0');
    }
    lms_string_free(caps);
    CHECK_OK(lms_track_free(v));
    CHECK_OK(lms_track_free(a));
    CHECK_OK(lms_stop(s));
    CHECK_OK(lms_stream_free(s));
}

/* Rule 22: a failed applyConstraints changes nothing; an impossible ideal is fine;
 * on an ended track it succeeds and changes nothing. */
static void rule_22_apply_constraints_fails_without_changing_anything_or_accepts_ideals(void) {
    lms_track t;
    char before[2048], after[2048], *constraints_before = NULL, *constraints_after = NULL;
    lms_frame f;
    int i;
    bool resized = false;
    configure(CONFIG_UNPACED);
    t = open_track("{\"video\": {\"width\": 640, \"height\": 480}}", LMS_TRACK_KIND_VIDEO);
    track_settings(t, before, sizeof before);
    CHECK_OK(lms_track_constraints(t, &constraints_before));
    CHECK(constraints_before != NULL && strstr(constraints_before, "width") != NULL);
    CHECK_STATUS(lms_track_apply_constraints(t, "{\"width\": {\"min\": 100000000}}"), LMS_ERR_OVERCONSTRAINED);
    CHECK_STR_EQ(lms_last_error_constraint(), "width");
    track_settings(t, after, sizeof after);
    CHECK_STR_EQ(after, before);
    CHECK_OK(lms_track_constraints(t, &constraints_after));
    CHECK_STR_EQ(constraints_after, constraints_before);
    lms_string_free(constraints_before);
    lms_string_free(constraints_after);
    constraints_after = NULL;

    CHECK_OK(lms_track_apply_constraints(t, "{\"width\": {\"ideal\": 100000000}}"));
    CHECK_OK(lms_track_apply_constraints(t, "{\"width\": 320, \"height\": 240}"));
    CHECK_INT_EQ(settings_int(t, "width"), 320);
    CHECK_INT_EQ(settings_int(t, "height"), 240);
    CHECK_OK(lms_track_constraints(t, &constraints_after));
    CHECK(constraints_after != NULL && strstr(constraints_after, "320") != NULL &&
          strstr(constraints_after, "240") != NULL);
    lms_string_free(constraints_after);
    for (i = 0; i < 20 && !resized; i++) {
        if (!read_frame(t, &f)) {
            break;
        }
        resized = f.width == 320 && f.height == 240;
        CHECK_OK(lms_frame_release(&f));
    }
    CHECK_MSG(resized, "frames follow the new settings");

    CHECK_OK(lms_track_stop(t));
    track_settings(t, before, sizeof before);
    CHECK_OK(lms_track_apply_constraints(t, "{\"width\": {\"exact\": 1}}"));
    track_settings(t, after, sizeof after);
    CHECK_STR_EQ(after, before);
    CHECK_OK(lms_track_free(t));
}

/* Rule 23: two tracks of one device opened with different widths get their own. */
static void rule_23_two_tracks_of_one_device_get_their_own_widths(void) {
    lms_track big, small;
    lms_frame f;
    char settings[2048], mode[64];
    uint64_t opens = 0, closes = 0;
    configure(CONFIG_UNPACED);
    big = open_track("{\"video\": {\"deviceId\": \"fake:video:0\", \"width\": 640, \"height\": 480}}",
                     LMS_TRACK_KIND_VIDEO);
    small = open_track("{\"video\": {\"deviceId\": {\"exact\": \"fake:video:0\"}, \"width\": {\"exact\": 320}}}",
                       LMS_TRACK_KIND_VIDEO);
    device_usage("fake:video:0", &opens, &closes);
    CHECK_MSG(opens == 1, "one device, one open: %llu", (unsigned long long)opens);
    if (read_frame(big, &f)) {
        CHECK_INT_EQ(f.width, 640);
        CHECK_OK(lms_frame_release(&f));
    }
    if (read_frame(small, &f)) {
        CHECK_INT_EQ(f.width, 320);
        CHECK_INT_EQ(f.height, 240);
        CHECK_OK(lms_frame_release(&f));
    }
    CHECK_INT_EQ(settings_int(small, "width"), 320);
    CHECK_INT_EQ(settings_int(small, "height"), 240);
    track_settings(small, settings, sizeof settings);
    CHECK(json_string(settings, "resizeMode", mode, sizeof mode) && strcmp(mode, "crop-and-scale") == 0);
    CHECK_INT_EQ(settings_int(big, "width"), 640);
    CHECK_OK(lms_track_free(big));
    CHECK_OK(lms_track_free(small));
}

/* Statistics: frames read are counted; a reader that falls behind drops its oldest. */
static void stats_count_delivered_and_dropped_frames(void) {
    lms_track fast, idle = {0};
    lms_track_stats stats;
    lms_frame f;
    int i, n = scaled(40);
    configure(CONFIG_UNPACED); /* queueSize 4 */
    fast = open_track(VIDEO_SMALL, LMS_TRACK_KIND_VIDEO);
    CHECK_OK(lms_track_clone(fast, &idle));
    for (i = 0; i < n; i++) {
        if (!read_frame(fast, &f)) {
            break;
        }
        CHECK_OK(lms_frame_release(&f));
    }
    memset(&stats, 0xAB, sizeof stats);
    CHECK_OK(lms_track_stats_get(fast, &stats));
    CHECK_MSG(stats.frames_delivered >= (uint64_t)n, "delivered %llu", (unsigned long long)stats.frames_delivered);
    CHECK_MSG(stats.frames_dropped < (uint64_t)n, "dropped %llu", (unsigned long long)stats.frames_dropped);
    CHECK_OK(lms_track_stats_get(idle, &stats));
    CHECK_MSG(stats.frames_dropped >= (uint64_t)(n - 6), "a slow reader drops its oldest frames: dropped %llu of %d",
              (unsigned long long)stats.frames_dropped, n);
    /* And what it still holds is the newest: the queue is bounded by queueSize. */
    {
        int queued = 0;
        while (lms_track_read_frame(idle, 0, &f) == LMS_OK) {
            queued++;
            CHECK_OK(lms_frame_release(&f));
            if (queued > 100) {
                break;
            }
        }
        CHECK_MSG(queued >= 1 && queued <= 6, "queued %d", queued);
    }
    CHECK_OK(lms_track_free(fast));
    CHECK_OK(lms_track_free(idle));
}

int main(void) {
    static const harness_case cases[] = {
        TEST(rule_14_a_new_track_is_live_enabled_unmuted_with_a_kind_and_distinct_id),
        TEST(labels_are_the_device_labels),
        TEST(rule_15_stop_ends_at_once_fires_no_ended_and_is_idempotent),
        TEST(rule_17_clones_share_the_source_and_a_clone_of_ended_is_ended),
        TEST(rule_18_the_device_is_released_when_the_last_track_goes_and_not_before),
        TEST(rule_19_a_disabled_track_delivers_black_video_and_silent_audio),
        TEST(rule_20_settings_report_what_is_delivered_with_matching_ids),
        TEST(rule_21_capabilities_have_every_property_with_ordered_ranges),
        TEST(rule_22_apply_constraints_fails_without_changing_anything_or_accepts_ideals),
        TEST(rule_23_two_tracks_of_one_device_get_their_own_widths),
        TEST(stats_count_delivered_and_dropped_frames),
    };
    return RUN_TESTS(cases);
}
