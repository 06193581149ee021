/*
 * MediaStream (lms_stream_*, lms_stop): rules 8-13 of CONFORMANCE.md, and
 * how lms_stream_tracks hands out handles.
 */
#include "lms_test.h"

#define AV_SMALL "{\"video\": {\"width\": 160, \"height\": 120}, \"audio\": true}"

/* Whether two track handles name the same track (the same id string). */
static bool same_track(lms_track a, lms_track b) {
    char ia[64], ib[64];
    track_id(a, ia, sizeof ia);
    track_id(b, ib, sizeof ib);
    return strcmp(ia, ib) == 0;
}

/* Rule 8: ids are distinct UUIDs; new streams hold exactly what they are given. */
static void rule_08_stream_ids_are_distinct_uuids_and_constructors_hold_the_given_tracks(void) {
    lms_stream a, empty = {0}, from_stream = {0}, from_video = {0};
    lms_track tracks[4], video;
    size_t n = 0, i;
    char id_a[64], id_empty[64], id_from[64];
    configure(CONFIG_UNPACED);
    a = open_stream(AV_SMALL);
    CHECK_OK(lms_stream_new(NULL, 0, &empty));
    stream_id(a, id_a, sizeof id_a);
    stream_id(empty, id_empty, sizeof id_empty);
    CHECK_MSG(is_uuid(id_a), "\"%s\"", id_a);
    CHECK_MSG(is_uuid(id_empty), "\"%s\"", id_empty);
    CHECK(strcmp(id_a, id_empty) != 0);
    CHECK_INT_EQ(count_tracks(empty, -1), 0);
    CHECK(!stream_active(empty));

    /* Built from another stream's tracks, it holds the same tracks. */
    CHECK_OK(lms_stream_tracks(a, tracks, 4, &n));
    CHECK_INT_EQ(n, 2);
    CHECK_OK(lms_stream_new(tracks, n, &from_stream));
    stream_id(from_stream, id_from, sizeof id_from);
    CHECK(is_uuid(id_from) && strcmp(id_from, id_a) != 0);
    {
        lms_track held[4];
        size_t m = 0;
        CHECK_OK(lms_stream_tracks(from_stream, held, 4, &m));
        CHECK_INT_EQ(m, 2);
        for (i = 0; i < m && i < n; i++) {
            CHECK_MSG(same_track(held[i], tracks[i]), "track %zu differs", i);
            CHECK_OK(lms_track_free(held[i]));
        }
    }
    CHECK(stream_active(from_stream));

    /* Built from tracks, it holds those tracks. */
    video = first_track(a, LMS_TRACK_KIND_VIDEO);
    CHECK_OK(lms_stream_new(&video, 1, &from_video));
    CHECK_INT_EQ(count_tracks(from_video, -1), 1);
    {
        lms_track held = first_track(from_video, LMS_TRACK_KIND_VIDEO);
        CHECK(same_track(held, video));
        CHECK_OK(lms_track_free(held));
    }
    for (i = 0; i < n; i++) {
        CHECK_OK(lms_track_free(tracks[i]));
    }
    CHECK_OK(lms_track_free(video));
    CHECK_OK(lms_stop(a));
    CHECK(!stream_active(from_stream));
    CHECK(!stream_active(from_video));
    CHECK_OK(lms_stream_free(a));
    CHECK_OK(lms_stream_free(empty));
    CHECK_OK(lms_stream_free(from_stream));
    CHECK_OK(lms_stream_free(from_video));
}

/* lms_stream_tracks: the count always; the first min(capacity, count) as new handles. */
static void stream_tracks_writes_at_most_capacity_new_handles(void) {
    lms_stream s;
    lms_track out[3];
    size_t n = 99;
    configure(CONFIG_UNPACED);
    s = open_stream(AV_SMALL);
    CHECK_OK(lms_stream_tracks(s, NULL, 0, &n));
    CHECK_INT_EQ(n, 2);
    out[0].id = out[1].id = out[2].id = FORGED_ID;
    n = 99;
    CHECK_OK(lms_stream_tracks(s, out, 1, &n));
    CHECK_INT_EQ(n, 2);
    CHECK(out[0].id != FORGED_ID && out[0].id != 0);
    CHECK(out[1].id == FORGED_ID);
    CHECK_OK(lms_track_free(out[0]));
    n = 99;
    CHECK_OK(lms_stream_tracks(s, out, 3, &n));
    CHECK_INT_EQ(n, 2);
    CHECK(out[2].id == FORGED_ID);
    CHECK(out[0].id != out[1].id);
    {
        /* Each call gives fresh handles: freeing them leaves the stream's tracks live. */
        lms_track again[2];
        size_t m = 0;
        CHECK_OK(lms_stream_tracks(s, again, 2, &m));
        CHECK(again[0].id != out[0].id && again[1].id != out[1].id);
        CHECK(same_track(again[0], out[0]) && same_track(again[1], out[1]));
        CHECK_OK(lms_track_free(again[0]));
        CHECK_OK(lms_track_free(again[1]));
        CHECK(ready_state(out[0]) == LMS_READY_STATE_LIVE);
        CHECK(stream_active(s));
    }
    CHECK_OK(lms_track_free(out[0]));
    CHECK_OK(lms_track_free(out[1]));
    CHECK_OK(lms_stop(s));
    CHECK_OK(lms_stream_free(s));
}

/* Rule 9: the lists are current; getTrackById gives the same track, or not found. */
static void rule_09_track_lists_are_current_and_get_track_by_id(void) {
    lms_stream s;
    lms_track video, audio, by_id = {FORGED_ID};
    char vid[64], aid[64];
    configure(CONFIG_UNPACED);
    s = open_stream(AV_SMALL);
    video = first_track(s, LMS_TRACK_KIND_VIDEO);
    audio = first_track(s, LMS_TRACK_KIND_AUDIO);
    track_id(video, vid, sizeof vid);
    track_id(audio, aid, sizeof aid);
    CHECK_OK(lms_stream_track_by_id(s, vid, &by_id));
    CHECK(by_id.id != FORGED_ID && same_track(by_id, video));
    CHECK_OK(lms_track_free(by_id));
    by_id.id = FORGED_ID;
    CHECK_STATUS(lms_stream_track_by_id(s, "not-a-track", &by_id), LMS_ERR_NOT_FOUND);
    CHECK(by_id.id == FORGED_ID);

    CHECK_OK(lms_stream_remove_track(s, audio));
    CHECK_INT_EQ(count_tracks(s, -1), 1);
    CHECK_INT_EQ(count_tracks(s, LMS_TRACK_KIND_AUDIO), 0);
    CHECK_INT_EQ(count_tracks(s, LMS_TRACK_KIND_VIDEO), 1);
    CHECK_STATUS(lms_stream_track_by_id(s, aid, &by_id), LMS_ERR_NOT_FOUND);
    CHECK(by_id.id == FORGED_ID);
    CHECK(ready_state(audio) == LMS_READY_STATE_LIVE); /* removing does not stop */
    CHECK_OK(lms_stream_add_track(s, audio));
    CHECK_INT_EQ(count_tracks(s, LMS_TRACK_KIND_AUDIO), 1);
    CHECK_OK(lms_stream_track_by_id(s, aid, &by_id));
    CHECK(same_track(by_id, audio));
    CHECK_OK(lms_track_free(by_id));

    CHECK_OK(lms_track_free(video));
    CHECK_OK(lms_track_free(audio));
    CHECK_OK(lms_stop(s));
    CHECK_OK(lms_stream_free(s));
}

/* Rule 10: adding a present track or removing an absent one does nothing. */
static void rule_10_adding_a_present_track_or_removing_an_absent_one_does_nothing(void) {
    lms_stream s, other;
    lms_track t, absent, held;
    configure(CONFIG_UNPACED);
    s = open_stream("{\"video\": {\"width\": 160, \"height\": 120}}");
    other = open_stream("{\"audio\": true}");
    t = first_track(s, LMS_TRACK_KIND_VIDEO);
    absent = first_track(other, LMS_TRACK_KIND_AUDIO);
    CHECK_OK(lms_stream_add_track(s, t));
    CHECK_OK(lms_stream_add_track(s, t));
    CHECK_INT_EQ(count_tracks(s, -1), 1);
    CHECK_OK(lms_stream_remove_track(s, absent));
    CHECK_INT_EQ(count_tracks(s, -1), 1);
    held = first_track(s, LMS_TRACK_KIND_VIDEO);
    CHECK(same_track(held, t));
    CHECK_OK(lms_track_free(held));
    CHECK_OK(lms_stream_remove_track(s, t));
    CHECK_OK(lms_stream_remove_track(s, t));
    CHECK_INT_EQ(count_tracks(s, -1), 0);
    CHECK(!stream_active(s));
    CHECK(ready_state(t) == LMS_READY_STATE_LIVE);
    CHECK_OK(lms_track_free(t));
    CHECK_OK(lms_track_free(absent));
    CHECK_OK(lms_stop(other));
    CHECK_OK(lms_stream_free(s));
    CHECK_OK(lms_stream_free(other));
}

/* Rule 11: active while any track is live; inactive streams accept changes. */
static void rule_11_active_while_any_track_is_live(void) {
    lms_stream s, other;
    lms_track video, audio, live;
    configure(CONFIG_UNPACED);
    s = open_stream(AV_SMALL);
    video = first_track(s, LMS_TRACK_KIND_VIDEO);
    audio = first_track(s, LMS_TRACK_KIND_AUDIO);
    CHECK(stream_active(s));
    CHECK_OK(lms_track_stop(video));
    CHECK(stream_active(s));
    CHECK_OK(lms_track_stop(audio));
    CHECK(!stream_active(s));
    other = open_stream("{\"audio\": true}");
    live = first_track(other, LMS_TRACK_KIND_AUDIO);
    CHECK_OK(lms_stream_remove_track(s, video));
    CHECK_OK(lms_stream_add_track(s, live));
    CHECK(stream_active(s));
    CHECK_OK(lms_track_stop(live));
    CHECK(!stream_active(s));
    CHECK(!stream_active(other));
    CHECK_OK(lms_track_free(video));
    CHECK_OK(lms_track_free(audio));
    CHECK_OK(lms_track_free(live));
    CHECK_OK(lms_stream_free(s));
    CHECK_OK(lms_stream_free(other));
}

/* Rule 12: a clone has new ids and keeps delivering after the original stops. */
static void rule_12_clone_has_new_ids_and_outlives_the_original(void) {
    lms_stream s, c = {FORGED_ID};
    lms_track originals[2], clones[2];
    size_t n = 0, m = 0, i, j;
    char sid[64], cid[64];
    configure(CONFIG_UNPACED);
    s = open_stream(AV_SMALL);
    CHECK_OK(lms_stream_clone(s, &c));
    CHECK(c.id != FORGED_ID && c.id != s.id);
    stream_id(s, sid, sizeof sid);
    stream_id(c, cid, sizeof cid);
    CHECK(is_uuid(cid) && strcmp(sid, cid) != 0);
    CHECK_OK(lms_stream_tracks(s, originals, 2, &n));
    CHECK_OK(lms_stream_tracks(c, clones, 2, &m));
    CHECK_INT_EQ(n, 2);
    CHECK_INT_EQ(m, 2);
    for (i = 0; i < m; i++) {
        for (j = 0; j < n; j++) {
            CHECK(!same_track(clones[i], originals[j]));
        }
    }
    CHECK_OK(lms_stop(s));
    CHECK(!stream_active(s));
    CHECK(stream_active(c));
    for (i = 0; i < m; i++) {
        lms_frame f;
        CHECK(ready_state(clones[i]) == LMS_READY_STATE_LIVE);
        if (read_frame(clones[i], &f)) {
            CHECK_OK(lms_frame_release(&f));
        }
    }
    /* Both devices are still open for the clones. */
    CHECK(device_is_open("fake:video:0"));
    CHECK(device_is_open("fake:audio:0"));
    for (i = 0; i < n; i++) {
        CHECK_OK(lms_track_free(originals[i]));
    }
    for (i = 0; i < m; i++) {
        CHECK_OK(lms_track_free(clones[i]));
    }
    CHECK_OK(lms_stop(c));
    CHECK(!device_is_open("fake:video:0"));
    CHECK_OK(lms_stream_free(s));
    CHECK_OK(lms_stream_free(c));
}

/* Rule 13: lms_stop (LocalMediaStream.stop) stops every track and releases the devices. */
static void rule_13_stream_stop_stops_every_track(void) {
    lms_stream s;
    lms_track tracks[2];
    size_t n = 0, i;
    configure(CONFIG_UNPACED);
    s = open_stream(AV_SMALL);
    CHECK_OK(lms_stream_tracks(s, tracks, 2, &n));
    CHECK(device_is_open("fake:video:0"));
    CHECK_OK(lms_stop(s));
    for (i = 0; i < n; i++) {
        lms_frame f;
        CHECK(ready_state(tracks[i]) == LMS_READY_STATE_ENDED);
        CHECK_STATUS(lms_track_read_frame(tracks[i], 0, &f), LMS_ERR_ENDED);
        CHECK_OK(lms_track_free(tracks[i]));
    }
    CHECK(!stream_active(s));
    CHECK(!device_is_open("fake:video:0"));
    CHECK(!device_is_open("fake:audio:0"));
    CHECK_OK(lms_stop(s)); /* again: nothing to do */
    CHECK_OK(lms_stream_free(s));
}

/* Freeing the only holder of live tracks stops them and releases the devices. */
static void freeing_a_stream_with_no_other_holders_releases_its_devices(void) {
    lms_stream s;
    uint64_t opens = 0, closes = 0;
    configure(CONFIG_UNPACED);
    s = open_stream(AV_SMALL);
    CHECK(device_is_open("fake:video:0"));
    CHECK_OK(lms_stream_free(s));
    device_usage("fake:video:0", &opens, &closes);
    CHECK_INT_EQ(opens, 1);
    CHECK_INT_EQ(closes, 1);
    device_usage("fake:audio:0", &opens, &closes);
    CHECK_INT_EQ(opens, 1);
    CHECK_INT_EQ(closes, 1);
}

/* A stream handle outlives nothing: freeing it leaves the track handles working. */
static void freeing_a_stream_keeps_handed_out_tracks_live(void) {
    lms_stream s;
    lms_track t;
    lms_frame f;
    configure(CONFIG_UNPACED);
    s = open_stream("{\"video\": {\"width\": 160, \"height\": 120}}");
    t = first_track(s, LMS_TRACK_KIND_VIDEO);
    CHECK_OK(lms_stream_free(s));
    CHECK(ready_state(t) == LMS_READY_STATE_LIVE);
    if (read_frame(t, &f)) {
        CHECK_OK(lms_frame_release(&f));
    }
    CHECK(device_is_open("fake:video:0"));
    CHECK_OK(lms_track_free(t));
    CHECK(!device_is_open("fake:video:0"));
}

/* new MediaStream([t, t]) holds t once; a clone of a stream of ended tracks is inactive. */
static void duplicates_are_held_once_and_clones_of_ended_streams_are_inactive(void) {
    lms_stream s, twice = {0}, c = {0};
    lms_track t, pair[2];
    configure(CONFIG_UNPACED);
    s = open_stream("{\"video\": {\"width\": 160, \"height\": 120}}");
    t = first_track(s, LMS_TRACK_KIND_VIDEO);
    pair[0] = t;
    pair[1] = t;
    CHECK_OK(lms_stream_new(pair, 2, &twice));
    CHECK_INT_EQ(count_tracks(twice, -1), 1);
    CHECK_OK(lms_stop(s));
    CHECK_OK(lms_stream_clone(s, &c));
    CHECK_INT_EQ(count_tracks(c, -1), 1);
    CHECK(!stream_active(c));
    CHECK(!device_is_open("fake:video:0"));
    CHECK_OK(lms_track_free(t));
    CHECK_OK(lms_stream_free(twice));
    CHECK_OK(lms_stream_free(c));
    CHECK_OK(lms_stream_free(s));
}

int main(void) {
    static const harness_case cases[] = {
        TEST(rule_08_stream_ids_are_distinct_uuids_and_constructors_hold_the_given_tracks),
        TEST(stream_tracks_writes_at_most_capacity_new_handles),
        TEST(rule_09_track_lists_are_current_and_get_track_by_id),
        TEST(rule_10_adding_a_present_track_or_removing_an_absent_one_does_nothing),
        TEST(rule_11_active_while_any_track_is_live),
        TEST(rule_12_clone_has_new_ids_and_outlives_the_original),
        TEST(rule_13_stream_stop_stops_every_track),
        TEST(freeing_a_stream_with_no_other_holders_releases_its_devices),
        TEST(freeing_a_stream_keeps_handed_out_tracks_live),
        TEST(duplicates_are_held_once_and_clones_of_ended_streams_are_inactive),
    };
    return RUN_TESTS(cases);
}
