/*
 * Events: ended (rule 16: once, only when the source ends by itself), mute and
 * unmute, devicechange (rule 26), listener removal, and the release of a
 * device whose tracks ended (rule 18). Events are asynchronous: the tests
 * wait for them with a deadline.
 */
#include "lms_test.h"

/* Rule 16: ended fires once per track when the device goes; not for others. */
static void rule_16_ended_fires_once_when_the_source_ends_by_itself(void) {
    lms_stream s;
    lms_track v, clone = {0}, a;
    lms_listener lv = {0}, lc = {0}, la = {0};
    event_log video_log, clone_log, audio_log;
    uint64_t opens = 0, closes = 0;
    lms_frame f;
    configure(CONFIG_REALTIME);
    event_log_init(&video_log);
    event_log_init(&clone_log);
    event_log_init(&audio_log);
    s = open_stream("{\"video\": {\"width\": 160, \"height\": 120}, \"audio\": true}");
    v = first_track(s, LMS_TRACK_KIND_VIDEO);
    a = first_track(s, LMS_TRACK_KIND_AUDIO);
    CHECK_OK(lms_track_clone(v, &clone));
    CHECK_OK(lms_track_add_event_listener(v, record_event, &video_log, &lv));
    CHECK_OK(lms_track_add_event_listener(clone, record_event, &clone_log, &lc));
    CHECK_OK(lms_track_add_event_listener(a, record_event, &audio_log, &la));

    CHECK_OK(lms_fake_device_control("fake:video:0", "disconnect"));
    CHECK(ready_state(v) == LMS_READY_STATE_ENDED);
    CHECK(ready_state(clone) == LMS_READY_STATE_ENDED);
    CHECK(ready_state(a) == LMS_READY_STATE_LIVE);
    WAIT_UNTIL(event_count(&video_log, LMS_EVENT_ENDED) >= 1 && event_count(&clone_log, LMS_EVENT_ENDED) >= 1,
               patience_ms());
    CHECK_OK(lms_fake_device_control("fake:video:0", "reconnect"));
    CHECK_OK(lms_fake_device_control("fake:video:0", "disconnect"));
    CHECK_OK(lms_fake_device_control("fake:audio:0", "fail"));
    WAIT_UNTIL(event_count(&audio_log, LMS_EVENT_ENDED) >= 1, patience_ms());
    sleep_ms(100); /* time for a wrong second ended to arrive */
    CHECK_INT_EQ(event_count(&video_log, LMS_EVENT_ENDED), 1);
    CHECK_INT_EQ(event_count(&clone_log, LMS_EVENT_ENDED), 1);
    CHECK_INT_EQ(event_count(&audio_log, LMS_EVENT_ENDED), 1);
    pthread_mutex_lock(&video_log.lock);
    CHECK_MSG(strstr(video_log.last_detail, "disconnected") != NULL, "detail \"%s\"", video_log.last_detail);
    CHECK(video_log.off_main_thread == 1);
    pthread_mutex_unlock(&video_log.lock);
    pthread_mutex_lock(&audio_log.lock);
    CHECK_MSG(strstr(audio_log.last_detail, "fail") != NULL, "detail \"%s\"", audio_log.last_detail);
    pthread_mutex_unlock(&audio_log.lock);
    CHECK(!stream_active(s));

    /* Rule 18: a device whose tracks ended is released. */
    device_usage("fake:video:0", &opens, &closes);
    CHECK_INT_EQ(opens, 1);
    CHECK_INT_EQ(closes, 1);
    device_usage("fake:audio:0", &opens, &closes);
    CHECK_INT_EQ(opens, closes);

    /* Rule 17: a clone of an ended track is ended; reads end. */
    {
        lms_track cc = {0};
        CHECK_OK(lms_track_clone(v, &cc));
        CHECK(ready_state(cc) == LMS_READY_STATE_ENDED);
        CHECK_OK(lms_track_free(cc));
    }
    while (lms_track_read_frame(v, 0, &f) == LMS_OK) {
        CHECK_OK(lms_frame_release(&f)); /* frames queued before the end may remain */
    }
    CHECK_STATUS(lms_track_read_frame(v, 0, &f), LMS_ERR_ENDED);
    /* Stopping an ended track fires nothing either. */
    CHECK_OK(lms_track_stop(v));

    CHECK_OK(lms_listener_remove(lv));
    CHECK_OK(lms_listener_remove(lc));
    CHECK_OK(lms_listener_remove(la));
    CHECK_OK(lms_track_free(v));
    CHECK_OK(lms_track_free(clone));
    CHECK_OK(lms_track_free(a));
    CHECK_OK(lms_stream_free(s));
    event_log_destroy(&video_log);
    event_log_destroy(&clone_log);
    event_log_destroy(&audio_log);
}

/* A disconnected device cannot be opened: NotFound (it left the list), until it comes back. */
static void a_disconnected_device_is_not_found_until_reconnected(void) {
    lms_stream s = {FORGED_ID}, back;
    char *devices = NULL;
    configure(CONFIG_UNPACED);
    CHECK_OK(lms_fake_device_control("fake:video:1", "disconnect"));
    CHECK_OK(lms_enumerate_devices(&devices));
    CHECK(devices != NULL && strstr(devices, "fake:video:1") == NULL);
    lms_string_free(devices);
    CHECK(lms_open("{\"video\": {\"deviceId\": {\"exact\": \"fake:video:1\"}}}", &s) != LMS_OK);
    CHECK(s.id == FORGED_ID);
    CHECK_OK(lms_fake_device_control("fake:video:1", "reconnect"));
    back = open_stream("{\"video\": {\"deviceId\": {\"exact\": \"fake:video:1\"}, \"width\": 160, \"height\": 120}}");
    CHECK_INT_EQ(count_tracks(back, LMS_TRACK_KIND_VIDEO), 1);
    CHECK_OK(lms_stop(back));
    CHECK_OK(lms_stream_free(back));
}

/* mute and unmute: events, the muted attribute, and no frames while muted. */
static void mute_and_unmute_fire_events_and_set_muted(void) {
    lms_track t;
    lms_listener l = {0};
    event_log log;
    bool muted = false;
    lms_frame f;
    configure(CONFIG_REALTIME);
    event_log_init(&log);
    t = open_track("{\"video\": {\"width\": 160, \"height\": 120}}", LMS_TRACK_KIND_VIDEO);
    CHECK_OK(lms_track_add_event_listener(t, record_event, &log, &l));
    CHECK_OK(lms_fake_device_control("fake:video:0", "mute"));
    WAIT_UNTIL(event_count(&log, LMS_EVENT_MUTE) >= 1, patience_ms());
    CHECK_INT_EQ(event_count(&log, LMS_EVENT_MUTE), 1);
    CHECK_OK(lms_track_muted(t, &muted));
    CHECK(muted);
    CHECK(ready_state(t) == LMS_READY_STATE_LIVE);
    /* Drain what was queued before the mute; then nothing comes. */
    while (lms_track_read_frame(t, 0, &f) == LMS_OK) {
        CHECK_OK(lms_frame_release(&f));
    }
    CHECK_STATUS(lms_track_read_frame(t, 200, &f), LMS_ERR_TIMEOUT);
    CHECK_OK(lms_fake_device_control("fake:video:0", "unmute"));
    WAIT_UNTIL(event_count(&log, LMS_EVENT_UNMUTE) >= 1, patience_ms());
    CHECK_INT_EQ(event_count(&log, LMS_EVENT_UNMUTE), 1);
    CHECK_OK(lms_track_muted(t, &muted));
    CHECK(!muted);
    if (read_frame(t, &f)) {
        CHECK_OK(lms_frame_release(&f));
    }
    CHECK_INT_EQ(event_count(&log, LMS_EVENT_ENDED), 0);
    CHECK_OK(lms_listener_remove(l));
    CHECK_OK(lms_track_free(t));
    event_log_destroy(&log);
}

/* A removed listener hears nothing more; removing twice is an invalid handle. */
static void a_removed_listener_is_not_called(void) {
    lms_track t;
    lms_listener l = {0};
    event_log log;
    configure(CONFIG_UNPACED);
    event_log_init(&log);
    t = open_track("{\"video\": {\"width\": 160, \"height\": 120}}", LMS_TRACK_KIND_VIDEO);
    CHECK_OK(lms_track_add_event_listener(t, record_event, &log, &l));
    CHECK(l.id != 0);
    CHECK_OK(lms_listener_remove(l));
    CHECK_STATUS(lms_listener_remove(l), LMS_ERR_INVALID_HANDLE);
    CHECK_OK(lms_fake_device_control("fake:video:0", "mute"));
    CHECK_OK(lms_fake_device_control("fake:video:0", "disconnect"));
    sleep_ms(150);
    CHECK_INT_EQ(event_count(&log, LMS_EVENT_MUTE), 0);
    CHECK_INT_EQ(event_count(&log, LMS_EVENT_ENDED), 0);
    CHECK(ready_state(t) == LMS_READY_STATE_ENDED);
    CHECK_OK(lms_track_free(t));
    event_log_destroy(&log);
}

/* Two listeners on one track both hear; a listener outliving its track is still removed once. */
static void listeners_are_independent_and_do_not_keep_the_track(void) {
    lms_track t;
    lms_listener l1 = {0}, l2 = {0};
    event_log log1, log2;
    configure(CONFIG_UNPACED);
    event_log_init(&log1);
    event_log_init(&log2);
    t = open_track("{\"video\": {\"width\": 160, \"height\": 120}}", LMS_TRACK_KIND_VIDEO);
    CHECK_OK(lms_track_add_event_listener(t, record_event, &log1, &l1));
    CHECK_OK(lms_track_add_event_listener(t, record_event, &log2, &l2));
    CHECK(l1.id != l2.id);
    CHECK_OK(lms_fake_device_control("fake:video:0", "mute"));
    WAIT_UNTIL(event_count(&log1, LMS_EVENT_MUTE) == 1 && event_count(&log2, LMS_EVENT_MUTE) == 1, patience_ms());
    CHECK_INT_EQ(event_count(&log1, LMS_EVENT_MUTE), 1);
    CHECK_INT_EQ(event_count(&log2, LMS_EVENT_MUTE), 1);
    CHECK_OK(lms_listener_remove(l1));
    /* The listener does not keep the track alive: freeing the handle stops it. */
    CHECK_OK(lms_track_free(t));
    CHECK(!device_is_open("fake:video:0"));
    CHECK_OK(lms_listener_remove(l2));
    event_log_destroy(&log1);
    event_log_destroy(&log2);
}

typedef struct reentrant_state {
    lms_track track;
    volatile int called;
    lms_status state_status;
    lms_ready_state state;
    lms_status clone_status;
    lms_track clone;
} reentrant_state;

static void on_ended_call_back_in(void *user_data, lms_event event, const char *detail) {
    reentrant_state *r = (reentrant_state *)user_data;
    (void)detail;
    if (event != LMS_EVENT_ENDED) {
        return;
    }
    r->state_status = lms_track_ready_state(r->track, &r->state);
    r->clone_status = lms_track_clone(r->track, &r->clone);
    __atomic_store_n(&r->called, 1, __ATOMIC_SEQ_CST);
}

/* An event callback may call the library (no lock is held while it runs). */
static void an_event_callback_may_call_the_library(void) {
    reentrant_state r;
    lms_listener l = {0};
    configure(CONFIG_UNPACED);
    memset(&r, 0, sizeof r);
    r.track = open_track("{\"video\": {\"width\": 160, \"height\": 120}}", LMS_TRACK_KIND_VIDEO);
    CHECK_OK(lms_track_add_event_listener(r.track, on_ended_call_back_in, &r, &l));
    CHECK_OK(lms_fake_device_control("fake:video:0", "fail"));
    WAIT_UNTIL(__atomic_load_n(&r.called, __ATOMIC_SEQ_CST) == 1, patience_ms());
    CHECK(__atomic_load_n(&r.called, __ATOMIC_SEQ_CST) == 1);
    CHECK_INT_EQ(r.state_status, LMS_OK);
    CHECK_INT_EQ(r.state, LMS_READY_STATE_ENDED);
    CHECK_INT_EQ(r.clone_status, LMS_OK);
    if (r.clone_status == LMS_OK) {
        CHECK(ready_state(r.clone) == LMS_READY_STATE_ENDED);
        CHECK_OK(lms_track_free(r.clone));
    }
    CHECK_OK(lms_listener_remove(l));
    CHECK_OK(lms_track_free(r.track));
}

/* Rule 26: devicechange fires when the list of devices changes, and only then. */
static void rule_26_devicechange_fires_when_the_list_changes(void) {
    lms_listener l = {0};
    event_log log;
    configure(CONFIG_UNPACED);
    event_log_init(&log);
    CHECK_OK(lms_on_device_change(record_event, &log, &l));
    CHECK(l.id != 0);
    CHECK_OK(lms_fake_device_control("fake:video:1", "mute"));
    sleep_ms(100);
    CHECK_MSG(event_count(&log, LMS_EVENT_DEVICE_CHANGE) == 0, "mute does not change the list");
    CHECK_OK(lms_fake_device_control("fake:video:1", "disconnect"));
    WAIT_UNTIL(event_count(&log, LMS_EVENT_DEVICE_CHANGE) >= 1, patience_ms());
    CHECK_OK(lms_fake_device_control("fake:video:1", "reconnect"));
    WAIT_UNTIL(event_count(&log, LMS_EVENT_DEVICE_CHANGE) >= 2, patience_ms());
    sleep_ms(50);
    CHECK_INT_EQ(event_count(&log, LMS_EVENT_DEVICE_CHANGE), 2);
    CHECK_INT_EQ(event_count(&log, LMS_EVENT_ENDED), 0);
    pthread_mutex_lock(&log.lock);
    CHECK(log.off_main_thread == 2);
    pthread_mutex_unlock(&log.lock);
    /* Reconfiguring changes the list too. */
    configure("{\"backends\": [\"fake\"], \"fake\": {\"pacing\": \"none\", \"video\": 1, \"audio\": 0}}");
    WAIT_UNTIL(event_count(&log, LMS_EVENT_DEVICE_CHANGE) >= 3, patience_ms());
    CHECK_INT_EQ(event_count(&log, LMS_EVENT_DEVICE_CHANGE), 3);
    CHECK_OK(lms_listener_remove(l));
    CHECK_STATUS(lms_listener_remove(l), LMS_ERR_INVALID_HANDLE);
    CHECK_OK(lms_fake_device_control("fake:video:0", "disconnect"));
    sleep_ms(100);
    CHECK_INT_EQ(event_count(&log, LMS_EVENT_DEVICE_CHANGE), 3);
    event_log_destroy(&log);
}

/* Fake controls and usage counters reject what they do not know. */
static void fake_controls_reject_unknown_devices_and_actions(void) {
    uint64_t opens = 7, closes = 7;
    configure(CONFIG_UNPACED);
    CHECK_STATUS(lms_fake_device_control("fake:video:9", "mute"), LMS_ERR_NOT_FOUND);
    CHECK_STATUS(lms_fake_device_control("fake:video:0", "explode"), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_fake_device_usage("fake:video:9", &opens, &closes), LMS_ERR_NOT_FOUND);
    CHECK_INT_EQ(opens, 7);
    CHECK_INT_EQ(closes, 7);
    CHECK_OK(lms_fake_device_usage("fake:audio:0", &opens, &closes));
    CHECK_INT_EQ(opens, 0);
    CHECK_INT_EQ(closes, 0);
}

typedef struct self_removing {
    lms_listener listener;
    int calls;
    lms_status remove_status;
    int devices_in_list; /* deviceIds seen by lms_enumerate_devices inside the callback */
} self_removing;

static void remove_myself(void *user_data, lms_event event, const char *detail) {
    self_removing *r = (self_removing *)user_data;
    char *json = NULL;
    (void)event;
    (void)detail;
    if (lms_enumerate_devices(&json) == LMS_OK) {
        r->devices_in_list = count_occurrences(json, "\"deviceId\"");
    }
    lms_string_free(json);
    r->remove_status = lms_listener_remove(r->listener);
    __atomic_add_fetch(&r->calls, 1, __ATOMIC_SEQ_CST);
}

/* A listener may remove itself, and see the changed list, from inside its callback. */
static void a_listener_may_remove_itself_from_its_callback(void) {
    self_removing r;
    configure(CONFIG_UNPACED);
    memset(&r, 0, sizeof r);
    r.remove_status = (lms_status)-1;
    CHECK_OK(lms_on_device_change(remove_myself, &r, &r.listener));
    CHECK_OK(lms_fake_device_control("fake:video:1", "disconnect"));
    WAIT_UNTIL(__atomic_load_n(&r.calls, __ATOMIC_SEQ_CST) >= 1, patience_ms());
    CHECK_OK(lms_fake_device_control("fake:video:1", "reconnect"));
    sleep_ms(100);
    CHECK_INT_EQ(__atomic_load_n(&r.calls, __ATOMIC_SEQ_CST), 1);
    CHECK_INT_EQ(r.remove_status, LMS_OK);
    CHECK_INT_EQ(r.devices_in_list, 2);
    CHECK_STATUS(lms_listener_remove(r.listener), LMS_ERR_INVALID_HANDLE);
}

int main(void) {
    static const harness_case cases[] = {
        TEST(rule_16_ended_fires_once_when_the_source_ends_by_itself),
        TEST(a_disconnected_device_is_not_found_until_reconnected),
        TEST(mute_and_unmute_fire_events_and_set_muted),
        TEST(a_removed_listener_is_not_called),
        TEST(listeners_are_independent_and_do_not_keep_the_track),
        TEST(an_event_callback_may_call_the_library),
        TEST(rule_26_devicechange_fires_when_the_list_changes),
        TEST(a_listener_may_remove_itself_from_its_callback),
        TEST(fake_controls_reject_unknown_devices_and_actions),
    };
    return RUN_TESTS(cases);
}
