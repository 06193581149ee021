/*
 * Threads: every function may be called from any thread, concurrently. Many
 * threads read, clone, stop, free and inspect at once; racing stops, frees and
 * releases of one handle succeed exactly once; a blocked reader wakes when its
 * track stops; last errors stay per thread. Afterwards every device is closed.
 */
#include "lms_test.h"

#define SMALL_AV "{\"video\": {\"width\": 160, \"height\": 120}, \"audio\": true}"

typedef struct shared {
    lms_track base;   /* a video track nobody stops until the end */
    lms_track victim; /* the original video track, stopped mid-way */
    lms_track audio;
    lms_stream stream;
    int rounds;
    int frames_per_round;
    volatile int done;
} shared;

/* Clones the base track (sometimes a clone of a clone), reads, stops, frees. */
static void *clone_reader(void *arg) {
    shared *sh = (shared *)arg;
    int round;
    for (round = 0; round < sh->rounds; round++) {
        lms_track c = {0}, cc = {0}, reader;
        uint64_t last = 0;
        int i;
        CHECK_OK(lms_track_clone(sh->base, &c));
        reader = c;
        if (round % 2 == 1) {
            CHECK_OK(lms_track_clone(c, &cc));
            reader = cc;
        }
        for (i = 0; i < sh->frames_per_round; i++) {
            lms_frame f;
            uint64_t painted = 0;
            lms_status st = lms_track_read_frame(reader, patience_ms(), &f);
            CHECK_MSG(st == LMS_OK, "clone read: %s", lms_status_name(st));
            if (st != LMS_OK) {
                break;
            }
            CHECK_MSG(i == 0 || f.sequence > last, "sequence %llu after %llu", (unsigned long long)f.sequence,
                      (unsigned long long)last);
            CHECK_OK(lms_frame_decode_sequence(&f, &painted));
            CHECK(painted == f.sequence);
            last = f.sequence;
            CHECK_OK(lms_frame_release(&f));
        }
        CHECK_OK(lms_track_stop(reader));
        if (cc.id != 0) {
            CHECK(ready_state(c) == LMS_READY_STATE_LIVE); /* stopping a clone leaves its origin live */
            CHECK_OK(lms_track_free(cc));
        }
        CHECK_OK(lms_track_free(c));
    }
    return NULL;
}

/* Reads the audio track: every chunk in order. */
static void *audio_reader(void *arg) {
    shared *sh = (shared *)arg;
    uint64_t last = 0;
    int i, n = sh->rounds * sh->frames_per_round;
    for (i = 0; i < n; i++) {
        lms_frame f;
        lms_status st = lms_track_read_frame(sh->audio, patience_ms(), &f);
        CHECK_MSG(st == LMS_OK, "audio read: %s", lms_status_name(st));
        if (st != LMS_OK) {
            break;
        }
        CHECK(i == 0 || f.sequence > last);
        CHECK(f.sample_count == 480);
        last = f.sequence;
        CHECK_OK(lms_frame_release(&f));
    }
    return NULL;
}

/* Opens, reads and stops streams on the second camera, at different sizes. */
static void *stream_churn(void *arg) {
    shared *sh = (shared *)arg;
    int round;
    for (round = 0; round < sh->rounds; round++) {
        char constraints[160];
        lms_stream s = {0};
        lms_track t;
        lms_frame f;
        snprintf(constraints, sizeof constraints,
                 "{\"video\": {\"deviceId\": {\"exact\": \"fake:video:1\"}, \"width\": {\"exact\": %d}}}",
                 96 + 16 * (round % 4));
        CHECK_OK(lms_open(constraints, &s));
        t = first_track(s, LMS_TRACK_KIND_VIDEO);
        if (lms_track_read_frame(t, patience_ms(), &f) == LMS_OK) {
            CHECK_INT_EQ(f.width, 96 + 16 * (round % 4));
            CHECK_OK(lms_frame_release(&f));
        } else {
            CHECK_MSG(0, "churn read: %s", lms_last_error_message());
        }
        if (round % 2 == 0) {
            CHECK_OK(lms_stop(s));
        }
        CHECK_OK(lms_track_free(t));
        CHECK_OK(lms_stream_free(s)); /* the last holder: stops the track if still live */
    }
    return NULL;
}

/* Looks at everything while the others work; stops the original track half way. */
static void *inspector(void *arg) {
    shared *sh = (shared *)arg;
    int loops = 0;
    while (!__atomic_load_n(&sh->done, __ATOMIC_SEQ_CST)) {
        char *json = NULL;
        lms_track_stats stats;
        bool active;
        size_t n = 0;
        lms_track tracks[4];
        size_t i;
        CHECK_OK(lms_track_settings(sh->base, &json));
        lms_string_free(json);
        json = NULL;
        CHECK_OK(lms_track_capabilities(sh->base, &json));
        lms_string_free(json);
        json = NULL;
        CHECK_OK(lms_track_settings(sh->victim, &json));
        lms_string_free(json);
        json = NULL;
        CHECK_OK(lms_enumerate_devices(&json));
        lms_string_free(json);
        CHECK_OK(lms_track_stats_get(sh->base, &stats));
        CHECK_OK(lms_stream_active(sh->stream, &active));
        CHECK(active); /* the audio track stays live throughout */
        CHECK_OK(lms_stream_tracks(sh->stream, tracks, 4, &n));
        for (i = 0; i < n && i < 4; i++) {
            CHECK_OK(lms_track_free(tracks[i]));
        }
        if (++loops == 3) {
            CHECK_OK(lms_track_stop(sh->victim)); /* clones of it stay live */
        }
        sleep_ms(under_valgrind() ? 20 : 2);
    }
    if (loops < 3) {
        CHECK_OK(lms_track_stop(sh->victim));
    }
    return NULL;
}

static void many_threads_read_clone_and_stop_at_once(void) {
    enum { CLONE_READERS = 4 };
    pthread_t readers[CLONE_READERS], audio, churn, look;
    shared sh;
    int i;
    uint64_t opens = 0, closes = 0;
    static const char *devices[] = {"fake:video:0", "fake:video:1", "fake:audio:0"};
    configure(CONFIG_UNPACED);
    memset(&sh, 0, sizeof sh);
    sh.stream = open_stream(SMALL_AV);
    sh.victim = first_track(sh.stream, LMS_TRACK_KIND_VIDEO);
    sh.audio = first_track(sh.stream, LMS_TRACK_KIND_AUDIO);
    CHECK_OK(lms_track_clone(sh.victim, &sh.base));
    sh.rounds = scaled(20);
    sh.frames_per_round = scaled(15);
    for (i = 0; i < CLONE_READERS; i++) {
        CHECK(pthread_create(&readers[i], NULL, clone_reader, &sh) == 0);
    }
    CHECK(pthread_create(&audio, NULL, audio_reader, &sh) == 0);
    CHECK(pthread_create(&churn, NULL, stream_churn, &sh) == 0);
    CHECK(pthread_create(&look, NULL, inspector, &sh) == 0);
    for (i = 0; i < CLONE_READERS; i++) {
        pthread_join(readers[i], NULL);
    }
    pthread_join(audio, NULL);
    pthread_join(churn, NULL);
    __atomic_store_n(&sh.done, 1, __ATOMIC_SEQ_CST);
    pthread_join(look, NULL);

    CHECK(ready_state(sh.victim) == LMS_READY_STATE_ENDED);
    CHECK(ready_state(sh.base) == LMS_READY_STATE_LIVE);
    CHECK(!device_is_open("fake:video:1"));
    CHECK_OK(lms_stop(sh.stream));
    CHECK(device_is_open("fake:video:0")); /* base still holds it */
    CHECK_OK(lms_track_free(sh.base));
    CHECK_OK(lms_track_free(sh.victim));
    CHECK_OK(lms_track_free(sh.audio));
    CHECK_OK(lms_stream_free(sh.stream));
    for (i = 0; i < 3; i++) {
        device_usage(devices[i], &opens, &closes);
        CHECK_MSG(opens == closes && opens >= 1, "%s opened %llu closed %llu", devices[i], (unsigned long long)opens,
                  (unsigned long long)closes);
    }
    device_usage("fake:video:0", &opens, &closes);
    CHECK_INT_EQ(opens, 1); /* every clone shared the one open */
}

typedef struct stop_race {
    lms_track track;
    pthread_barrier_t start;
    lms_status status;
    long long returned_after_ms;
} stop_race;

static void *blocked_reader(void *arg) {
    stop_race *r = (stop_race *)arg;
    lms_frame f;
    long long started;
    lms_status st;
    pthread_barrier_wait(&r->start);
    started = now_ms();
    /* Take whatever is queued, then block until the stop wakes us. */
    while ((st = lms_track_read_frame(r->track, -1, &f)) == LMS_OK) {
        lms_frame_release(&f);
    }
    r->status = st;
    r->returned_after_ms = now_ms() - started;
    return NULL;
}

typedef struct racer {
    stop_race *race;
    lms_status status;
} racer;

static void *stopper(void *arg) {
    racer *me = (racer *)arg;
    pthread_barrier_wait(&me->race->start);
    sleep_ms(50);
    me->status = lms_track_stop(me->race->track);
    return NULL;
}

/* Racing stops all succeed; a reader blocked without a timeout wakes with ENDED. */
static void racing_stops_succeed_and_wake_a_blocked_reader(void) {
    enum { STOPPERS = 4 };
    stop_race race;
    racer racers[STOPPERS];
    pthread_t threads[STOPPERS], reader;
    int i;
    configure(CONFIG_REALTIME);
    memset(&race, 0, sizeof race);
    race.track = open_track("{\"video\": {\"width\": 160, \"height\": 120, \"frameRate\": {\"exact\": 1}}}",
                            LMS_TRACK_KIND_VIDEO);
    pthread_barrier_init(&race.start, NULL, STOPPERS + 1);
    race.status = (lms_status)-1;
    CHECK(pthread_create(&reader, NULL, blocked_reader, &race) == 0);
    for (i = 0; i < STOPPERS; i++) {
        racers[i].race = &race;
        CHECK(pthread_create(&threads[i], NULL, stopper, &racers[i]) == 0);
    }
    for (i = 0; i < STOPPERS; i++) {
        pthread_join(threads[i], NULL);
        CHECK_INT_EQ(racers[i].status, LMS_OK);
    }
    pthread_join(reader, NULL);
    CHECK_INT_EQ(race.status, LMS_ERR_ENDED);
    CHECK(ready_state(race.track) == LMS_READY_STATE_ENDED);
    CHECK(!device_is_open("fake:video:0"));
    CHECK_OK(lms_track_free(race.track));
    pthread_barrier_destroy(&race.start);
}

typedef struct release_race {
    lms_frame *frames;
    int count;
    pthread_barrier_t start;
} release_race;

typedef struct releaser {
    release_race *race;
    int ok, invalid, other;
    bool reverse;
} releaser;

static void *release_all(void *arg) {
    releaser *me = (releaser *)arg;
    int i;
    pthread_barrier_wait(&me->race->start);
    for (i = 0; i < me->race->count; i++) {
        int k = me->reverse ? me->race->count - 1 - i : i;
        lms_status st = lms_frame_release(&me->race->frames[k]);
        if (st == LMS_OK) {
            me->ok++;
        } else if (st == LMS_ERR_INVALID_HANDLE) {
            me->invalid++;
        } else {
            me->other++;
        }
    }
    return NULL;
}

/* Two threads releasing the same frames: each frame is released exactly once. */
static void racing_releases_succeed_exactly_once(void) {
    enum { FRAMES = 24, RELEASERS = 3 };
    lms_frame frames[FRAMES];
    release_race race;
    releaser rel[RELEASERS];
    pthread_t threads[RELEASERS];
    lms_track t, c = {0};
    int i, got = 0, ok = 0, invalid = 0, other = 0;
    configure(CONFIG_UNPACED);
    t = open_track("{\"video\": {\"width\": 64, \"height\": 48}}", LMS_TRACK_KIND_VIDEO);
    CHECK_OK(lms_track_clone(t, &c));
    for (i = 0; i < FRAMES; i++) {
        /* Alternate tracks, and retain some: handles of several origins. */
        lms_frame f;
        if (!read_frame(i % 2 ? c : t, &f)) {
            break;
        }
        if (i % 3 == 0) {
            CHECK_OK(lms_frame_retain(&f, &frames[got++]));
            CHECK_OK(lms_frame_release(&f));
        } else {
            frames[got++] = f;
        }
    }
    CHECK_OK(lms_track_free(t));
    CHECK_OK(lms_track_free(c));
    race.frames = frames;
    race.count = got;
    pthread_barrier_init(&race.start, NULL, RELEASERS);
    for (i = 0; i < RELEASERS; i++) {
        memset(&rel[i], 0, sizeof rel[i]);
        rel[i].race = &race;
        rel[i].reverse = i % 2 == 1;
        CHECK(pthread_create(&threads[i], NULL, release_all, &rel[i]) == 0);
    }
    for (i = 0; i < RELEASERS; i++) {
        pthread_join(threads[i], NULL);
        ok += rel[i].ok;
        invalid += rel[i].invalid;
        other += rel[i].other;
    }
    CHECK_INT_EQ(ok, got);
    CHECK_INT_EQ(invalid, got * (RELEASERS - 1));
    CHECK_INT_EQ(other, 0);
    pthread_barrier_destroy(&race.start);
}

typedef struct free_race {
    lms_track *tracks;
    lms_stream *streams;
    int count;
    pthread_barrier_t start;
} free_race;

typedef struct freer {
    free_race *race;
    int ok, invalid, other;
} freer;

static void *free_all(void *arg) {
    freer *me = (freer *)arg;
    int i;
    pthread_barrier_wait(&me->race->start);
    for (i = 0; i < me->race->count; i++) {
        lms_status a = lms_track_free(me->race->tracks[i]);
        lms_status b = lms_stream_free(me->race->streams[i]);
        me->ok += (a == LMS_OK) + (b == LMS_OK);
        me->invalid += (a == LMS_ERR_INVALID_HANDLE) + (b == LMS_ERR_INVALID_HANDLE);
        me->other += (a != LMS_OK && a != LMS_ERR_INVALID_HANDLE) + (b != LMS_OK && b != LMS_ERR_INVALID_HANDLE);
    }
    return NULL;
}

/* Racing frees of the same handles: each handle is freed exactly once; devices close. */
static void racing_frees_succeed_exactly_once(void) {
    enum { HANDLES = 16, FREERS = 3 };
    lms_track tracks[HANDLES];
    lms_stream streams[HANDLES];
    free_race race;
    freer fr[FREERS];
    pthread_t threads[FREERS];
    lms_stream s;
    int i, ok = 0, invalid = 0, other = 0;
    configure(CONFIG_UNPACED);
    s = open_stream(SMALL_AV);
    for (i = 0; i < HANDLES; i++) {
        CHECK_OK(lms_stream_clone(s, &streams[i]));
        tracks[i] = first_track(streams[i], i % 2 ? LMS_TRACK_KIND_AUDIO : LMS_TRACK_KIND_VIDEO);
    }
    CHECK_OK(lms_stop(s));
    CHECK_OK(lms_stream_free(s));
    CHECK(device_is_open("fake:video:0")); /* the clones hold it */
    race.tracks = tracks;
    race.streams = streams;
    race.count = HANDLES;
    pthread_barrier_init(&race.start, NULL, FREERS);
    for (i = 0; i < FREERS; i++) {
        memset(&fr[i], 0, sizeof fr[i]);
        fr[i].race = &race;
        CHECK(pthread_create(&threads[i], NULL, free_all, &fr[i]) == 0);
    }
    for (i = 0; i < FREERS; i++) {
        pthread_join(threads[i], NULL);
        ok += fr[i].ok;
        invalid += fr[i].invalid;
        other += fr[i].other;
    }
    CHECK_INT_EQ(ok, 2 * HANDLES);
    CHECK_INT_EQ(invalid, 2 * HANDLES * (FREERS - 1));
    CHECK_INT_EQ(other, 0);
    CHECK(!device_is_open("fake:video:0"));
    CHECK(!device_is_open("fake:audio:0"));
    pthread_barrier_destroy(&race.start);
}

typedef struct error_thread {
    const char *constraints;
    const char *constraint;
    int loops;
    int mismatches;
} error_thread;

static void *error_loop(void *arg) {
    error_thread *e = (error_thread *)arg;
    int i;
    for (i = 0; i < e->loops; i++) {
        lms_stream s = {0};
        lms_status st = lms_open(e->constraints, &s);
        if (st != LMS_ERR_OVERCONSTRAINED || strcmp(lms_last_error_constraint(), e->constraint) != 0 ||
            *lms_last_error_message() == '\0') {
            e->mismatches++;
        }
        if (st == LMS_OK) {
            lms_stream_free(s);
        }
    }
    return NULL;
}

/* Threads failing differently at once each see their own last error. */
static void last_errors_stay_per_thread_under_concurrency(void) {
    error_thread e[4] = {
        {"{\"video\": {\"width\": {\"min\": 100000000}}}", "width", 0, 0},
        {"{\"video\": {\"height\": {\"exact\": 0}}}", "height", 0, 0},
        {"{\"video\": {\"frameRate\": {\"min\": 100000}}}", "frameRate", 0, 0},
        {"{\"audio\": {\"deviceId\": {\"exact\": \"nope\"}}}", "deviceId", 0, 0},
    };
    pthread_t threads[4];
    int i;
    configure(CONFIG_UNPACED);
    for (i = 0; i < 4; i++) {
        e[i].loops = scaled(200);
        CHECK(pthread_create(&threads[i], NULL, error_loop, &e[i]) == 0);
    }
    for (i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        CHECK_MSG(e[i].mismatches == 0, "%s: %d of %d calls saw another thread's error", e[i].constraint,
                  e[i].mismatches, e[i].loops);
    }
}

/* Callbacks of many tracks run at once, each on its own thread, while the main thread stops them. */
typedef struct counting {
    lms_track track;
    int calls;
    uint64_t last;
    int out_of_order;
} counting;

static void count_frame(void *user_data, const lms_frame *frame) {
    counting *c = (counting *)user_data;
    int calls = __atomic_add_fetch(&c->calls, 1, __ATOMIC_SEQ_CST);
    if (calls > 1 && frame->sequence <= c->last) {
        c->out_of_order++;
    }
    c->last = frame->sequence;
}

static void callbacks_of_many_tracks_run_at_once(void) {
    enum { TRACKS = 6 };
    counting counts[TRACKS];
    lms_track base;
    int i;
    configure(CONFIG_UNPACED);
    base = open_track("{\"video\": {\"width\": 64, \"height\": 48}}", LMS_TRACK_KIND_VIDEO);
    for (i = 0; i < TRACKS; i++) {
        memset(&counts[i], 0, sizeof counts[i]);
        CHECK_OK(lms_track_clone(base, &counts[i].track));
        CHECK_OK(lms_track_set_frame_callback(counts[i].track, count_frame, &counts[i]));
    }
    for (i = 0; i < TRACKS; i++) {
        WAIT_UNTIL(__atomic_load_n(&counts[i].calls, __ATOMIC_SEQ_CST) >= scaled(20), patience_ms());
    }
    for (i = 0; i < TRACKS; i++) {
        CHECK_OK(lms_track_stop(counts[i].track));
    }
    sleep_ms(50);
    for (i = 0; i < TRACKS; i++) {
        CHECK_MSG(counts[i].calls >= scaled(20), "track %d: %d calls", i, counts[i].calls);
        CHECK_INT_EQ(counts[i].out_of_order, 0);
        CHECK_OK(lms_track_free(counts[i].track));
    }
    CHECK_OK(lms_track_free(base));
    CHECK(!device_is_open("fake:video:0"));
}

typedef struct setter {
    lms_track track;
    counting *counter;
    int rounds;
    int failures;
} setter;

static void *set_callbacks(void *arg) {
    setter *me = (setter *)arg;
    int i;
    for (i = 0; i < me->rounds; i++) {
        if (lms_track_set_frame_callback(me->track, count_frame, me->counter) != LMS_OK) {
            me->failures++;
        }
    }
    return NULL;
}

/* Racing lms_track_set_frame_callback calls on one track: after clearing, no callback runs. */
static void racing_callback_changes_leave_no_stray_delivery(void) {
    enum { SETTERS = 3 };
    counting counter;
    setter setters[SETTERS];
    pthread_t threads[SETTERS];
    lms_track t;
    int i, settled;
    configure(CONFIG_UNPACED);
    memset(&counter, 0, sizeof counter);
    t = open_track("{\"video\": {\"width\": 64, \"height\": 48}}", LMS_TRACK_KIND_VIDEO);
    for (i = 0; i < SETTERS; i++) {
        setters[i].track = t;
        setters[i].counter = &counter;
        setters[i].rounds = scaled(150);
        setters[i].failures = 0;
        CHECK(pthread_create(&threads[i], NULL, set_callbacks, &setters[i]) == 0);
    }
    for (i = 0; i < SETTERS; i++) {
        pthread_join(threads[i], NULL);
        CHECK_INT_EQ(setters[i].failures, 0);
    }
    CHECK_OK(lms_track_set_frame_callback(t, NULL, NULL));
    settled = __atomic_load_n(&counter.calls, __ATOMIC_SEQ_CST);
    sleep_ms(200);
    CHECK_MSG(__atomic_load_n(&counter.calls, __ATOMIC_SEQ_CST) == settled,
              "a callback still ran after it was cleared: %d calls, then %d", settled,
              __atomic_load_n(&counter.calls, __ATOMIC_SEQ_CST));
    CHECK_OK(lms_track_free(t));
    sleep_ms(50); /* a stray delivery thread would still be touching counter */
}

int main(void) {
    static const harness_case cases[] = {
        TEST(many_threads_read_clone_and_stop_at_once),
        TEST(racing_stops_succeed_and_wake_a_blocked_reader),
        TEST(racing_releases_succeed_exactly_once),
        TEST(racing_frees_succeed_exactly_once),
        TEST(last_errors_stay_per_thread_under_concurrency),
        TEST(callbacks_of_many_tracks_run_at_once),
        TEST(racing_callback_changes_leave_no_stray_delivery),
    };
    return RUN_TESTS(cases);
}
