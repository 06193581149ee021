/*
 * capture.c: open a camera with lms_open (getUserMedia), read 30 frames, stop.
 *
 * Build:  cc -std=c99 capture.c $(pkg-config --cflags --libs localmediastream) -o capture
 * Run:    ./capture
 *
 * It configures the built-in fake camera first, so it runs the same on any
 * machine; drop the lms_configure call to use the backends LMS_BACKENDS names.
 */
#include <stdio.h>

#include <localmediastream.h>

static const char *format_name(lms_pixel_format format) {
    switch (format) {
    case LMS_PIXEL_FORMAT_I420: return "I420";
    case LMS_PIXEL_FORMAT_NV12: return "NV12";
    case LMS_PIXEL_FORMAT_YUY2: return "YUY2";
    case LMS_PIXEL_FORMAT_RGB24: return "RGB24";
    case LMS_PIXEL_FORMAT_BGR24: return "BGR24";
    case LMS_PIXEL_FORMAT_RGBA: return "RGBA";
    case LMS_PIXEL_FORMAT_BGRA: return "BGRA";
    case LMS_PIXEL_FORMAT_MJPEG: return "MJPEG";
    }
    return "?";
}

/* Print what went wrong: the error's name, the constraint (if any), the message. */
static int fail(const char *what, lms_status status) {
    const char *constraint = lms_last_error_constraint();
    fprintf(stderr, "%s: %s%s%s: %s\n", what, lms_status_name(status), *constraint ? " on " : "", constraint,
            lms_last_error_message());
    return 1;
}

int main(void) {
    lms_stream stream;
    lms_track camera;
    size_t track_count = 0;
    char *label = NULL;
    lms_status status;
    int i;

    status = lms_configure("{\"backends\": [\"fake\"], \"fake\": {\"video\": 1, \"audio\": 1}}");
    if (status != LMS_OK) {
        return fail("lms_configure", status);
    }

    /* getUserMedia({video: {width: {ideal: 640}, frameRate: {max: 30}}}) */
    status = lms_open("{\"video\": {\"width\": {\"ideal\": 640}, \"frameRate\": {\"max\": 30}}}", &stream);
    if (status != LMS_OK) {
        return fail("lms_open", status);
    }

    /* The stream holds one video track: take a handle to it. */
    status = lms_stream_tracks(stream, &camera, 1, &track_count);
    if (status != LMS_OK || track_count == 0) {
        lms_stream_free(stream);
        return fail("lms_stream_tracks", status);
    }
    if (lms_track_label(camera, &label) == LMS_OK) {
        printf("camera: %s\n", label);
        lms_string_free(label);
    }

    for (i = 0; i < 30; i++) {
        lms_frame frame;
        status = lms_track_read_frame(camera, 1000, &frame); /* wait up to a second */
        if (status != LMS_OK) {
            fail("lms_track_read_frame", status);
            break;
        }
        printf("frame %2d: %ux%u %s, %u planes, sequence %llu, at %lld us\n", i, frame.width, frame.height,
               format_name(frame.pixel_format), frame.plane_count, (unsigned long long)frame.sequence,
               (long long)frame.timestamp_us);
        /* frame.planes[p] (frame.strides[p] bytes per row) are valid until released. */
        lms_frame_release(&frame);
    }

    /* LocalMediaStream.stop(): every track ends and the camera is released. */
    lms_stop(stream);
    lms_track_free(camera);
    lms_stream_free(stream);
    return status == LMS_OK ? 0 : 1;
}
