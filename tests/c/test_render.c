/*
 * The far end: lms_audio_render. A fake microphone that hears a speaker
 * playing what was rendered (an echo, 40 ms later, at half amplitude) shows
 * that the audio reached the library: the track without echo cancellation
 * hears it, the track with echo cancellation has it removed. Every bad
 * argument is refused with the right status and a message naming it.
 *
 * Every device here is unpaced: one 10 ms chunk of far end is rendered
 * before each round of reads, so nothing depends on timing (as in
 * crates/core/tests/audio_processing.rs).
 */
#include <math.h> /* NAN, INFINITY */

#include "lms_test.h"

/* One unpaced fake microphone that hears silence plus the echo of the far end. */
#define CONFIG_ECHO                                                                                 \
    "{\"backends\": [\"fake\"], \"queueSize\": 2, \"fake\": {\"pacing\": \"none\", \"video\": 0, " \
    "\"audio\": [{\"signal\": \"silence\", \"echo\": {\"delayMs\": 40, \"gain\": 0.5}}]}}"

#define CHUNK 480 /* frames of one 10 ms chunk at 48 kHz, the fake microphone's rate */

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

/* Deterministic white noise in [-0.25, 0.25) (xorshift32). */
static void white_noise(uint32_t *seed, float *out, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 17;
        *seed ^= *seed << 5;
        out[i] = (float)(((double)*seed / (double)UINT32_MAX - 0.5) * 0.5);
    }
}

/* Running sum of squares and count of a track's samples. */
typedef struct energy {
    double sum;
    size_t count;
} energy;

static double mean_square(const energy *e) {
    return e->count > 0 ? e->sum / (double)e->count : 0.0;
}

/* 10 log10(ratio), for ratio > 0 (the tests link no libm). */
static double db(double ratio) {
    double d = 0.0, y, term, sum = 0.0;
    int k;
    while (ratio >= 10.0) {
        ratio /= 10.0;
        d += 10.0;
    }
    while (ratio < 1.0) {
        ratio *= 10.0;
        d -= 10.0;
    }
    /* ln(r) = 2 atanh((r - 1) / (r + 1)), the series converging for r in [1, 10). */
    y = (ratio - 1.0) / (ratio + 1.0);
    term = y;
    for (k = 1; k < 200; k += 2) {
        sum += term / k;
        term *= y * y;
    }
    return d + 10.0 * (2.0 * sum) / 2.302585092994046;
}

/* Reads one f32 chunk of t and, when e is not NULL, adds its samples to e. */
static bool read_chunk(lms_track t, energy *e) {
    lms_frame f;
    size_t i, n;
    if (!read_frame(t, &f)) {
        return false;
    }
    CHECK_INT_EQ(f.kind, LMS_TRACK_KIND_AUDIO);
    CHECK_INT_EQ(f.sample_format, LMS_SAMPLE_FORMAT_F32);
    n = f.plane_sizes[0] / sizeof(float);
    CHECK_INT_EQ(n, (size_t)f.sample_count * f.channels);
    if (e != NULL) {
        for (i = 0; i < n; i++) {
            float x;
            memcpy(&x, f.planes[0] + i * sizeof x, sizeof x);
            e->sum += (double)x * x;
        }
        e->count += n;
    }
    CHECK_OK(lms_frame_release(&f));
    return true;
}

/* The fake microphone's track (echoCancellation off) and a clone with it on. */
static void open_raw_and_cancelled(lms_track *raw, lms_track *cancelled) {
    char json[2048];
    bool on = true;
    *raw = open_track("{\"audio\": {\"echoCancellation\": false}}", LMS_TRACK_KIND_AUDIO);
    cancelled->id = 0;
    if (raw->id == 0) {
        return;
    }
    CHECK_OK(lms_track_clone(*raw, cancelled));
    CHECK_OK(lms_track_apply_constraints(*cancelled, "{\"echoCancellation\": {\"exact\": \"remote-only\"}}"));
    track_settings(*raw, json, sizeof json);
    CHECK_MSG(json_bool(json, "echoCancellation", &on) && !on, "raw track settings: %s", json);
    track_settings(*cancelled, json, sizeof json);
    CHECK_MSG(strstr(json, "\"echoCancellation\":\"remote-only\"") != NULL ||
                  strstr(json, "\"echoCancellation\": \"remote-only\"") != NULL,
              "cancelled track settings: %s", json);
}

/* Until something is rendered the microphone hears exact silence; once white
 * noise is rendered (10 ms before each round of reads) the track without echo
 * cancellation hears its echo, and after 4 s of settling the track with echo
 * cancellation hears much less of it. */
static void the_rendered_far_end_is_heard_and_cancelled(void) {
    lms_track raw, cancelled;
    energy before = {0, 0}, heard = {0, 0}, residual = {0, 0};
    float far[CHUNK];
    uint32_t seed = 0x12345678u;
    int i, rounds = 600, measured = 200;
    double erle;
    configure(CONFIG_ECHO);
    open_raw_and_cancelled(&raw, &cancelled);
    if (raw.id == 0 || cancelled.id == 0) {
        return;
    }
    for (i = 0; i < 10; i++) {
        read_chunk(raw, &before);
        read_chunk(cancelled, NULL);
    }
    CHECK_MSG(before.count > 0 && before.sum == 0.0, "the microphone hears %g before any render",
              mean_square(&before));
    for (i = 0; i < rounds; i++) {
        bool measure = i >= rounds - measured;
        white_noise(&seed, far, CHUNK);
        CHECK_OK(lms_audio_render(far, CHUNK, 48000, 1));
        read_chunk(raw, measure ? &heard : NULL);
        read_chunk(cancelled, measure ? &residual : NULL);
    }
    /* White noise of +-0.25 at gain 0.5: a mean square of about 0.0052. */
    CHECK_MSG(mean_square(&heard) > 1e-3, "the raw track hears the echo at a mean square of only %g",
              mean_square(&heard));
    erle = db(mean_square(&heard) / (mean_square(&residual) > 1e-12 ? mean_square(&residual) : 1e-12));
    fprintf(stderr, "echo cancellation: raw echo %.1f dBFS, residual %.1f dB below it\n",
            db(mean_square(&heard)), erle);
    CHECK_MSG(erle >= 15.0, "the residual echo is only %.1f dB below the raw echo", erle);
    CHECK_OK(lms_track_free(cancelled));
    CHECK_OK(lms_track_free(raw));
}

/* Any rate and channel count is converted: a stereo 44.1 kHz far end (441
 * frames, 10 ms, per round) is heard by the microphone too. */
static void a_stereo_44100_far_end_is_heard(void) {
    lms_track raw;
    energy heard = {0, 0};
    float far[441 * 2];
    uint32_t seed = 0x0badcafeu;
    int i, rounds = 100;
    configure(CONFIG_ECHO);
    raw = open_track("{\"audio\": true}", LMS_TRACK_KIND_AUDIO);
    if (raw.id == 0) {
        return;
    }
    for (i = 0; i < rounds; i++) {
        white_noise(&seed, far, sizeof far / sizeof far[0]);
        CHECK_OK(lms_audio_render(far, 441, 44100, 2));
        read_chunk(raw, i >= rounds / 2 ? &heard : NULL);
    }
    /* Two independent channels mixed to mono: half the mean square of one. */
    CHECK_MSG(mean_square(&heard) > 5e-4, "the microphone hears a mean square of only %g", mean_square(&heard));
    CHECK_OK(lms_track_free(raw));
}

/* Bad rates, channel counts and samples are TypeErrors naming them, and
 * nothing of such a call is rendered. */
static void bad_input_is_a_type_error_naming_it(void) {
    float silence[CHUNK * 2], loud[CHUNK];
    lms_track raw;
    energy heard = {0, 0};
    size_t i;
    memset(silence, 0, sizeof silence);
    for (i = 0; i < CHUNK; i++) {
        loud[i] = (i % 2) ? 0.5f : -0.5f;
    }
    configure(CONFIG_ECHO);
    raw = open_track("{\"audio\": true}", LMS_TRACK_KIND_AUDIO);
    CHECK_ERROR(lms_audio_render(loud, CHUNK, 7999, 1), LMS_ERR_TYPE, "sample rate 7999");
    CHECK_ERROR(lms_audio_render(loud, CHUNK, 384001, 1), LMS_ERR_TYPE, "sample rate 384001");
    CHECK_ERROR(lms_audio_render(loud, CHUNK, 0, 1), LMS_ERR_TYPE, "sample rate 0");
    CHECK_ERROR(lms_audio_render(loud, CHUNK, 48000, 0), LMS_ERR_TYPE, "channel count 0");
    CHECK_ERROR(lms_audio_render(loud, CHUNK / 33, 48000, 33), LMS_ERR_TYPE, "channel count 33");
    /* A good call (read below): the bad ones around it must add nothing. */
    CHECK_OK(lms_audio_render(loud, CHUNK, 48000, 1));
    loud[7] = NAN;
    CHECK_ERROR(lms_audio_render(loud, CHUNK, 48000, 1), LMS_ERR_TYPE, "samples[7]");
    loud[7] = 0.5f;
    loud[3] = INFINITY;
    CHECK_ERROR(lms_audio_render(loud, CHUNK / 2, 48000, 2), LMS_ERR_TYPE, "samples[3]");
    loud[3] = 0.5f;
    CHECK_STR_EQ(lms_status_name(LMS_ERR_TYPE), "TypeError");
    CHECK(strstr(lms_last_error_message(), "lms_audio_render") != NULL);
    /* frames * channels past the address space: refused before anything is read. */
    CHECK_ERROR(lms_audio_render(loud, SIZE_MAX, 48000, 2), LMS_ERR_TYPE, "frames");
    CHECK_ERROR(lms_audio_render(loud, SIZE_MAX / 2, 48000, 1), LMS_ERR_TYPE, "frames");
    /* NULL samples: only with nothing to render. */
    CHECK_ERROR(lms_audio_render(NULL, 1, 48000, 1), LMS_ERR_INVALID_ARGUMENT, "samples");
    CHECK_OK(lms_audio_render(NULL, 0, 48000, 1));
    CHECK_OK(lms_audio_render(silence, 0, 48000, 2));
    if (raw.id != 0) {
        /* The one good call: 10 ms of loud square wave, heard 40 ms later. Then
         * silence, rendered with each read: the refused calls added nothing. */
        int round;
        energy loud_heard = {0, 0};
        for (round = 0; round < 30; round++) {
            CHECK_OK(lms_audio_render(silence, CHUNK, 48000, 1));
            read_chunk(raw, round < 15 ? &loud_heard : &heard);
        }
        CHECK_MSG(loud_heard.sum > 1.0, "the good call was heard: %g", loud_heard.sum);
        CHECK_MSG(heard.count > 0 && heard.sum == 0.0, "after it, silence: %g", heard.sum);
        CHECK_OK(lms_track_free(raw));
    }
}

int main(void) {
    static const harness_case cases[] = {
        TEST(the_rendered_far_end_is_heard_and_cancelled),
        TEST(a_stereo_44100_far_end_is_heard),
        TEST(bad_input_is_a_type_error_naming_it),
    };
    return RUN_TESTS(cases);
}
