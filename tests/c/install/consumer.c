/*
 * consumer.c: a program built against an installed localmediastream
 * (tests/c/install.sh builds it with pkg-config, pkg-config --static and
 * CMake). It opens the fake camera unpaced, reads 20 frames, checks that their
 * sequence numbers increase, and prints the library's version.
 */
#include <stdio.h>

#include <localmediastream.h>

static int fail(const char *what, lms_status status) {
    fprintf(stderr, "%s: %s: %s\n", what, lms_status_name(status), lms_last_error_message());
    return 1;
}

int main(void) {
    enum { FRAMES = 20 };
    lms_stream stream;
    lms_track camera;
    size_t track_count = 0;
    unsigned long long first = 0, last = 0;
    lms_status status;
    int i;

    status = lms_configure("{\"backends\": [\"fake\"], \"fake\": {\"pacing\": \"none\"}}");
    if (status != LMS_OK) return fail("lms_configure", status);
    status = lms_open("{\"video\": true}", &stream);
    if (status != LMS_OK) return fail("lms_open", status);
    status = lms_stream_tracks(stream, &camera, 1, &track_count);
    if (status != LMS_OK || track_count != 1) {
        lms_stream_free(stream);
        return fail("lms_stream_tracks", status);
    }
    for (i = 0; i < FRAMES; i++) {
        lms_frame frame;
        status = lms_track_read_frame(camera, 10000, &frame);
        if (status != LMS_OK) return fail("lms_track_read_frame", status);
        if (i > 0 && frame.sequence <= last) {
            fprintf(stderr, "frame %d: sequence %llu after %llu\n", i, (unsigned long long)frame.sequence, last);
            return 1;
        }
        if (i == 0) first = frame.sequence;
        last = frame.sequence;
        lms_frame_release(&frame);
    }
    lms_stop(stream);
    lms_track_free(camera);
    lms_stream_free(stream);
    printf("localmediastream %s: %d frames, sequences %llu..%llu increasing\n", lms_version(), FRAMES, first, last);
    return 0;
}
