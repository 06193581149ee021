/* localmediastream through the C ABI, for benches/peers/run.py.
 * Prints one JSON line.
 *
 *   ours l1 SECONDS            live fake 1920x1080 I420 at 30 fps (real-time pacing):
 *                              capture timestamp -> consumer latency, process CPU time
 *   ours s1 fake|FILE.y4m N    N times: open -> first frame, lms_stop -> device closed
 *   ours m1 FRAMES             unpaced fake 1080p: 1 s warm-up, then FRAMES frames;
 *                              RSS every 1000 frames and the peak (VmHWM)
 *
 * The consumer reads one byte of each plane of each frame. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "localmediastream.h"

static int64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static double now_s(void) { return (double)now_us() / 1e6; }

static double cpu_s(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void die(const char *what, lms_status s) {
    fprintf(stderr, "%s: %s: %s\n", what, lms_status_name(s), lms_last_error_message());
    exit(1);
}

#define CHECK(call) do { lms_status s_ = (call); if (s_ != LMS_OK) die(#call, s_); } while (0)

static unsigned long touch(const lms_frame *f) {
    unsigned long sum = 0;
    for (uint32_t p = 0; p < f->plane_count; p++) sum += f->planes[p][0];
    return sum;
}

static lms_track open_video(lms_stream *stream, const char *constraints) {
    CHECK(lms_open(constraints, stream));
    lms_track track;
    size_t count = 0;
    CHECK(lms_stream_tracks(*stream, &track, 1, &count));
    return track;
}

static long status_kb(const char *key) { /* a "Vm...:  N kB" line of /proc/self/status */
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    size_t n = strlen(key);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, key, n) == 0 && line[n] == ':') v = atol(line + n + 1);
    if (f) fclose(f);
    return v;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int l1(double seconds) {
    CHECK(lms_configure("{\"backends\": [\"fake\"], \"fake\": {\"video\": 1, \"audio\": 0}}"));
    lms_stream stream;
    lms_track track = open_video(&stream,
        "{\"video\": {\"width\": {\"exact\": 1920}, \"height\": {\"exact\": 1080}, \"frameRate\": {\"exact\": 30}}}");
    size_t cap = (size_t)(seconds * 30 * 2 + 100), n = 0;
    int64_t *lat = malloc(cap * sizeof *lat);
    unsigned long sum = 0;
    lms_frame f;
    CHECK(lms_track_read_frame(track, 2000, &f)); /* the first frame starts the clock */
    sum += touch(&f);
    CHECK(lms_frame_release(&f));
    double wall0 = now_s(), cpu0 = cpu_s();
    while (now_s() - wall0 < seconds && n < cap) {
        CHECK(lms_track_read_frame(track, 2000, &f));
        lat[n++] = now_us() - f.timestamp_us;
        sum += touch(&f);
        CHECK(lms_frame_release(&f));
    }
    double wall = now_s() - wall0, cpu = cpu_s() - cpu0;
    lms_track_stats st;
    CHECK(lms_track_stats_get(track, &st));
    lms_stop(stream);
    qsort(lat, n, sizeof *lat, cmp_i64);
    printf("{\"frames\": %zu, \"seconds\": %.3f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f, "
           "\"cpu_s\": %.4f, \"cpu_pct\": %.3f, \"dropped\": %llu, \"checksum\": %lu}\n",
           n, wall, lat[n / 2] / 1e3, lat[(n * 99) / 100] / 1e3, lat[n - 1] / 1e3, cpu, 100 * cpu / wall,
           (unsigned long long)st.frames_dropped, sum % 1000);
    lms_track_free(track);
    lms_stream_free(stream);
    free(lat);
    return 0;
}

static long threads_now(void) { return status_kb("Threads"); }

static int s1(const char *what, int iterations) {
    int fake = strcmp(what, "fake") == 0;
    char config[4096];
    if (fake)
        snprintf(config, sizeof config, "{\"backends\": [\"fake\"], \"fake\": {\"video\": 1, \"audio\": 0}}");
    else
        snprintf(config, sizeof config, "{\"backends\": [\"file\"], \"file\": {\"video\": \"%s\"}}", what);
    CHECK(lms_configure(config));
    const char *constraints = fake
        ? "{\"video\": {\"width\": {\"exact\": 1920}, \"height\": {\"exact\": 1080}, \"frameRate\": {\"exact\": 30}}}"
        : "{\"video\": true}";
    int64_t *open_us = calloc(iterations, sizeof(int64_t)), *close_us = calloc(iterations, sizeof(int64_t));
    unsigned long sum = 0;
    for (int i = 0; i < iterations; i++) {
        long threads_before = threads_now();
        uint64_t opens = 0, closes = 0;
        int64_t t0 = now_us();
        lms_stream stream;
        lms_track track = open_video(&stream, constraints);
        lms_frame f;
        CHECK(lms_track_read_frame(track, 2000, &f));
        int64_t t1 = now_us();
        sum += touch(&f);
        CHECK(lms_frame_release(&f));
        if (fake) CHECK(lms_fake_device_usage("fake:video:0", &opens, &closes));
        int64_t t2 = now_us();
        CHECK(lms_stop(stream));
        /* Closed: the fake device counted a close; the file device's capture thread is gone. */
        for (;;) {
            if (fake) {
                uint64_t o2, c2;
                CHECK(lms_fake_device_usage("fake:video:0", &o2, &c2));
                if (c2 == closes + 1) break;
            } else if (threads_now() <= threads_before) {
                break;
            }
            if (now_us() - t2 > 5000000) { fprintf(stderr, "device not closed after 5 s\n"); return 1; }
        }
        int64_t t3 = now_us();
        open_us[i] = t1 - t0;
        close_us[i] = t3 - t2;
        lms_track_free(track);
        lms_stream_free(stream);
    }
    int64_t first_open = open_us[0], first_close = close_us[0];
    qsort(open_us, iterations, sizeof(int64_t), cmp_i64);
    qsort(close_us, iterations, sizeof(int64_t), cmp_i64);
    printf("{\"iterations\": %d, \"open_first_ms\": %.3f, \"open_p50_ms\": %.3f, \"open_max_ms\": %.3f, "
           "\"close_first_ms\": %.3f, \"close_p50_ms\": %.3f, \"close_max_ms\": %.3f, \"checksum\": %lu}\n",
           iterations, first_open / 1e3, open_us[iterations / 2] / 1e3, open_us[iterations - 1] / 1e3,
           first_close / 1e3, close_us[iterations / 2] / 1e3, close_us[iterations - 1] / 1e3, sum % 1000);
    return 0;
}

static int m1(long frames) {
    CHECK(lms_configure("{\"backends\": [\"fake\"], \"fake\": {\"pacing\": \"none\", \"video\": 1, \"audio\": 0}}"));
    long rss_before = status_kb("VmRSS");
    lms_stream stream;
    lms_track track = open_video(&stream,
        "{\"video\": {\"width\": {\"exact\": 1920}, \"height\": {\"exact\": 1080}}}");
    unsigned long sum = 0;
    long warm = 0;
    lms_frame f;
    double t0 = now_s();
    while (now_s() - t0 < 1.0) { /* the first second: pools and queues fill */
        CHECK(lms_track_read_frame(track, 2000, &f));
        sum += touch(&f);
        CHECK(lms_frame_release(&f));
        warm++;
    }
    long rss_start = status_kb("VmRSS"), rss_max = rss_start, rss_end = rss_start;
    for (long i = 1; i <= frames; i++) {
        CHECK(lms_track_read_frame(track, 2000, &f));
        sum += touch(&f);
        CHECK(lms_frame_release(&f));
        if (i % 1000 == 0) {
            rss_end = status_kb("VmRSS");
            if (rss_end > rss_max) rss_max = rss_end;
        }
    }
    long peak = status_kb("VmHWM");
    lms_stop(stream);
    printf("{\"warmup_frames\": %ld, \"frames\": %ld, \"rss_before_open_kb\": %ld, \"rss_after_1s_kb\": %ld, "
           "\"rss_end_kb\": %ld, \"growth_kb\": %ld, \"max_growth_kb\": %ld, \"peak_kb\": %ld, \"checksum\": %lu}\n",
           warm, frames, rss_before, rss_start, rss_end, rss_end - rss_start, rss_max - rss_start, peak, sum % 1000);
    lms_track_free(track);
    lms_stream_free(stream);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 3 && strcmp(argv[1], "l1") == 0) return l1(atof(argv[2]));
    if (argc >= 4 && strcmp(argv[1], "s1") == 0) return s1(argv[2], atoi(argv[3]));
    if (argc >= 3 && strcmp(argv[1], "m1") == 0) return m1(atol(argv[2]));
    fprintf(stderr, "usage: ours l1 SECONDS | s1 fake|FILE.y4m N | m1 FRAMES\n");
    return 2;
}
