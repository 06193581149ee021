/* Cost of lms_track_read_frame + lms_frame_release per 1080p frame from an
 * unpaced fake camera: wall time and the reading thread's CPU time per frame.
 * Usage: read_frame [FRAMES] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "localmediastream.h"

static double now_ns(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int fail(const char *what, lms_status s) {
    fprintf(stderr, "%s: %s: %s\n", what, lms_status_name(s), lms_last_error_message());
    return 1;
}

int main(int argc, char **argv) {
    long frames = argc > 1 ? atol(argv[1]) : 20000;
    lms_status s = lms_configure("{\"backends\": [\"fake\"], \"fake\": {\"pacing\": \"none\", \"video\": 1, \"audio\": 0}}");
    if (s != LMS_OK) return fail("lms_configure", s);
    lms_stream stream;
    s = lms_open("{\"video\": {\"width\": {\"exact\": 1920}, \"height\": {\"exact\": 1080}}}", &stream);
    if (s != LMS_OK) return fail("lms_open", s);
    lms_track track;
    size_t count = 0;
    s = lms_stream_tracks(stream, &track, 1, &count);
    if (s != LMS_OK) return fail("lms_stream_tracks", s);
    unsigned long sum = 0;
    double wall = 0, cpu = 0;
    for (long i = -200; i < frames; i++) { /* 200 frames of warm-up */
        if (i == 0) {
            wall = now_ns(CLOCK_MONOTONIC);
            cpu = now_ns(CLOCK_THREAD_CPUTIME_ID);
        }
        lms_frame f;
        s = lms_track_read_frame(track, 5000, &f);
        if (s != LMS_OK) return fail("lms_track_read_frame", s);
        for (uint32_t p = 0; p < f.plane_count; p++) sum += f.planes[p][0];
        s = lms_frame_release(&f);
        if (s != LMS_OK) return fail("lms_frame_release", s);
    }
    wall = now_ns(CLOCK_MONOTONIC) - wall;
    cpu = now_ns(CLOCK_THREAD_CPUTIME_ID) - cpu;
    printf("C    read+release 1080p I420: %8.0f frames/s  %7.0f ns/frame wall  %6.0f ns/frame reader CPU  (checksum %lu)\n",
           frames / (wall / 1e9), wall / frames, cpu / frames, sum % 1000);
    lms_stop(stream);
    lms_track_free(track);
    lms_stream_free(stream);
    return 0;
}
