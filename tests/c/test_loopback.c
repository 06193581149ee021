/*
 * System-audio loopback, the acceptance test: a null sink ("music") plays a
 * 1 kHz tone, and its monitor, captured through the library, measures 1 kHz.
 *
 * Runs under tests/support/pulse-loopback, which starts a private PulseAudio
 * with that sink and tone and sets PULSE_SERVER and LMS_AUDIO_HOST=pulseaudio
 * (tests/c/run.sh runs this test that way; run alone, it fails saying so).
 * Only the cpal backend is configured: the server's sources (the monitor
 * among them) are the microphones, its sinks the audio outputs.
 */
#include "lms_test.h"

#define CONFIG_CPAL "{\"backends\": [\"cpal\"]}"
#define MONITOR "cpal:music.monitor"
#define OUTPUT "cpal:music"
#define TONE_HZ 1000.0
/* Raw audio: no processing between the monitor and the measurement. */
#define RAW "\"echoCancellation\": false, \"noiseSuppression\": false, \"autoGainControl\": false"

/* Chunks to read (10 ms each by default): half a second of the tone. */
#define CHUNKS 50

static bool under_the_wrapper(void) {
    const char *server = getenv("PULSE_SERVER"), *host = getenv("LMS_AUDIO_HOST");
    return server != NULL && *server != '\0' && host != NULL && strcmp(host, "pulseaudio") == 0;
}

static void the_wrapper_set_up_the_sound_server(void) {
    CHECK_MSG(under_the_wrapper(),
              "PULSE_SERVER and LMS_AUDIO_HOST=pulseaudio are not set: run this test under "
              "tests/support/pulse-loopback (tests/c/run.sh does)");
}

static void the_monitor_is_an_input_and_the_sink_an_output(void) {
    char *json = NULL;
    char object[1024], kind[64], label[256];
    const char *last_input, *first_output, *p;
    CHECK_OK(lms_enumerate_devices(&json));
    if (json == NULL) {
        return;
    }
    CHECK_MSG(json_object_around(json, "\"" MONITOR "\"", object, sizeof object), "no %s in %s",
              MONITOR, json);
    CHECK(json_string(object, "kind", kind, sizeof kind));
    CHECK_STR_EQ(kind, "audioinput");
    CHECK(json_string(object, "label", label, sizeof label));
    CHECK_STR_EQ(label, "Monitor of Music");

    CHECK_MSG(json_object_around(json, "\"" OUTPUT "\"", object, sizeof object), "no %s in %s",
              OUTPUT, json);
    CHECK(json_string(object, "kind", kind, sizeof kind));
    CHECK_STR_EQ(kind, "audiooutput");
    CHECK(json_string(object, "label", label, sizeof label));
    CHECK_STR_EQ(label, "Music");

    /* Only the sound server's devices (cpal alone is configured); the outputs after the inputs. */
    CHECK_INT_EQ(count_occurrences(json, "\"videoinput\""), 0);
    CHECK_MSG(count_occurrences(json, "\"audiooutput\"") >= 1, "%s", json);
    last_input = NULL;
    for (p = json; (p = strstr(p, "\"audioinput\"")) != NULL; p++) {
        last_input = p;
    }
    first_output = strstr(json, "\"audiooutput\"");
    CHECK_MSG(last_input != NULL && first_output != NULL && last_input < first_output,
              "inputs then outputs: %s", json);
    lms_string_free(json);
}

/*
 * The frequency of a tone: the mean period between its first and last rising
 * zero crossings, each placed between two samples by linear interpolation
 * (0 when there are fewer than two).
 */
static double estimate_frequency(const float *samples, size_t n, double sample_rate) {
    double first = -1.0, last = 0.0;
    size_t i, crossings = 0;
    for (i = 0; i + 1 < n; i++) {
        double a = samples[i], b = samples[i + 1];
        if (a < 0.0 && b >= 0.0) {
            double at = (double)i + a / (a - b);
            if (first < 0.0) {
                first = at;
            }
            last = at;
            crossings++;
        }
    }
    if (crossings < 2 || last <= first) {
        return 0.0;
    }
    return (double)(crossings - 1) * sample_rate / (last - first);
}

/* Channel 0 of an audio chunk, as floats in [-1, 1], into out (at most capacity); returns the count. */
static size_t channel0(const lms_frame *f, float *out, size_t capacity) {
    size_t i;
    for (i = 0; i < f->sample_count && i < capacity; i++) {
        size_t at = i * f->channels;
        if (f->sample_format == LMS_SAMPLE_FORMAT_F32) {
            float s;
            memcpy(&s, f->planes[0] + at * sizeof s, sizeof s);
            out[i] = s;
        } else {
            int16_t s;
            memcpy(&s, f->planes[0] + at * sizeof s, sizeof s);
            out[i] = (float)s / 32768.0f;
        }
    }
    return i;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static bool near_tone(double hz) {
    return hz > TONE_HZ - 1.0 && hz < TONE_HZ + 1.0;
}

/*
 * Each chunk's own frequency (a 10 ms chunk holds 10 periods of the tone), so
 * that a glitch of the machine (the player or the capture late under load)
 * spoils one chunk, not the measurement: the median chunk and nearly every
 * chunk measure 1 kHz within 1 Hz. The whole capture's estimate is printed.
 */
static void the_monitor_hears_the_tone_at_1_khz(void) {
    static float chunk[48000], all[CHUNKS * 4800]; /* chunks of up to 1 s; 100 ms each in all */
    double chunk_hz[CHUNKS], sorted[CHUNKS], peak = 0.0, overall, median;
    size_t all_n = 0, i, n;
    int read = 0, good = 0, consecutive = 0;
    uint64_t last_sequence = 0;
    uint32_t rate = 0;
    char settings[2048], device[128], label[256];
    char *label_s = NULL;
    lms_track t =
        open_track("{\"audio\": {\"deviceId\": {\"exact\": \"" MONITOR "\"}, " RAW "}}", LMS_TRACK_KIND_AUDIO);
    if (t.id == 0) {
        return;
    }
    CHECK_OK(lms_track_label(t, &label_s));
    take_string(label_s, label, sizeof label);
    CHECK_STR_EQ(label, "Monitor of Music");
    track_settings(t, settings, sizeof settings);
    CHECK(json_string(settings, "deviceId", device, sizeof device));
    CHECK_STR_EQ(device, MONITOR);

    for (read = 0; read < CHUNKS; read++) {
        lms_frame f;
        if (!read_frame(t, &f)) {
            break;
        }
        CHECK_INT_EQ(f.kind, LMS_TRACK_KIND_AUDIO);
        if (rate != 0) {
            CHECK_INT_EQ(f.sample_rate, rate);
        }
        rate = f.sample_rate;
        if (read > 0 && f.sequence == last_sequence + 1) {
            consecutive++;
        }
        last_sequence = f.sequence;
        n = channel0(&f, chunk, sizeof chunk / sizeof chunk[0]);
        chunk_hz[read] = estimate_frequency(chunk, n, (double)rate);
        good += near_tone(chunk_hz[read]);
        for (i = 0; i < n; i++) {
            double a = chunk[i] < 0 ? -chunk[i] : chunk[i];
            peak = a > peak ? a : peak;
            if (all_n < sizeof all / sizeof all[0]) {
                all[all_n++] = chunk[i];
            }
        }
        CHECK_OK(lms_frame_release(&f));
    }
    CHECK_INT_EQ(read, CHUNKS);
    if (read == 0) {
        CHECK_OK(lms_track_free(t));
        return;
    }
    memcpy(sorted, chunk_hz, (size_t)read * sizeof sorted[0]);
    qsort(sorted, (size_t)read, sizeof sorted[0], compare_doubles);
    median = sorted[read / 2];
    overall = estimate_frequency(all, all_n, (double)rate);
    printf("music.monitor: median chunk %.3f Hz, %d of %d chunks within 1 Hz (range %.3f to %.3f), "
           "whole capture %.3f Hz; %d of %d chunks consecutive, peak %.3f, %u Hz\n",
           median, good, read, sorted[0], sorted[read - 1], overall, consecutive, read - 1, peak,
           (unsigned)rate);
    /* pacat plays at half scale. */
    CHECK_MSG(peak > 0.4 && peak < 0.6, "peak %.3f: the monitor does not hear the tone", peak);
    CHECK_MSG(near_tone(median), "the monitor hears %.3f Hz (median chunk), not %.0f Hz", median, TONE_HZ);
    CHECK_MSG(good * 10 >= read * 9, "only %d of %d chunks measure %.0f Hz within 1 Hz", good, read, TONE_HZ);
    CHECK_OK(lms_track_stop(t));
    CHECK_OK(lms_track_free(t));
}

static void an_output_is_not_a_capture_device(void) {
    lms_stream s = {0};
    const char *constraint;
    CHECK_STATUS(lms_open("{\"audio\": {\"deviceId\": {\"exact\": \"" OUTPUT "\"}}}", &s),
                 LMS_ERR_OVERCONSTRAINED);
    CHECK_INT_EQ(s.id, 0);
    constraint = lms_last_error_constraint();
    CHECK_STR_EQ(constraint, "deviceId");
    /* The output's monitor is, and so is the server's default source (that monitor). */
    s = open_stream("{\"audio\": {" RAW "}}");
    if (s.id != 0) {
        lms_track t = first_track(s, LMS_TRACK_KIND_AUDIO);
        char settings[2048], device[128];
        if (t.id != 0) {
            track_settings(t, settings, sizeof settings);
            CHECK(json_string(settings, "deviceId", device, sizeof device));
            CHECK_STR_EQ(device, MONITOR);
            CHECK_OK(lms_track_free(t));
        }
        CHECK_OK(lms_stop(s));
        CHECK_OK(lms_stream_free(s));
    }
}

int main(void) {
    static const harness_case cases[] = {
        TEST(the_wrapper_set_up_the_sound_server),
        TEST(the_monitor_is_an_input_and_the_sink_an_output),
        TEST(the_monitor_hears_the_tone_at_1_khz),
        TEST(an_output_is_not_a_capture_device),
    };
    if (!under_the_wrapper()) {
        fprintf(stderr, "test_loopback: run it under tests/support/pulse-loopback (tests/c/run.sh does)\n");
    }
    configure(CONFIG_CPAL);
    return RUN_TESTS(cases);
}
