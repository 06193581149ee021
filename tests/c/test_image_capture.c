/*
 * ImageCapture (lms_track_take_photo, lms_track_grab_frame,
 * lms_track_photo_capabilities / _settings, lms_photo_free) and camera
 * controls through the constraint calls (lms_open,
 * lms_track_apply_constraints, lms_track_settings, lms_track_capabilities).
 */
#include "lms_test.h"

#define VGA "{\"video\": {\"width\": 640, \"height\": 480}}"
#define SENTINEL_STRING ((char *)&sentinel_byte)
static char sentinel_byte;

/* ---- reading the files back ---- */

static uint32_t be16(const uint8_t *p) {
    return ((uint32_t)p[0] << 8) | p[1];
}

static uint32_t be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* The size in a JPEG's start-of-frame segment, walking its marker segments
 * from the start-of-image marker. */
static bool jpeg_size(const uint8_t *data, size_t size, uint32_t *width, uint32_t *height) {
    size_t at = 2;
    if (size < 4 || data[0] != 0xFF || data[1] != 0xD8) {
        return false;
    }
    while (at + 4 <= size) {
        uint8_t marker;
        uint32_t length;
        if (data[at] != 0xFF) {
            return false;
        }
        marker = data[at + 1];
        if (marker == 0xFF) { /* fill byte */
            at++;
            continue;
        }
        length = be16(data + at + 2);
        if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
            if (at + 9 > size) {
                return false;
            }
            *height = be16(data + at + 5);
            *width = be16(data + at + 7);
            return true;
        }
        if (marker == 0xDA || length < 2) { /* image data before any frame header */
            return false;
        }
        at += 2 + length;
    }
    return false;
}

/* The size in a PNG's IHDR chunk. */
static bool png_size(const uint8_t *data, size_t size, uint32_t *width, uint32_t *height) {
    static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (size < 24 || memcmp(data, signature, 8) != 0 || memcmp(data + 12, "IHDR", 4) != 0) {
        return false;
    }
    *width = be32(data + 16);
    *height = be32(data + 20);
    return true;
}

static bool take_photo(lms_track t, const char *settings, lms_photo *p) {
    lms_status st = lms_track_take_photo(t, settings, patience_ms(), p);
    CHECK_MSG(st == LMS_OK, "lms_track_take_photo(%s): %s: %s", settings ? settings : "NULL", lms_status_name(st),
              lms_last_error_message());
    return st == LMS_OK;
}

static void poison_photo(lms_photo *p) {
    memset(p, 0x5A, sizeof *p);
}

static bool photo_poisoned(const lms_photo *p) {
    lms_photo q;
    poison_photo(&q);
    return memcmp(p, &q, sizeof q) == 0;
}

static void poison_frame(lms_frame *f) {
    memset(f, 0x5A, sizeof *f);
}

static bool frame_poisoned(const lms_frame *f) {
    lms_frame q;
    poison_frame(&q);
    return memcmp(f, &q, sizeof q) == 0;
}

/* ---- photos ---- */

/* A photo without settings is a JPEG at the camera's size; imageWidth alone keeps the aspect ratio. */
static void a_photo_is_a_jpeg_of_the_track_size(void) {
    lms_track t;
    lms_photo p;
    uint32_t w = 0, h = 0;
    configure(CONFIG_UNPACED);
    t = open_track(VGA, LMS_TRACK_KIND_VIDEO);
    if (take_photo(t, NULL, &p)) {
        CHECK(p.handle != 0);
        CHECK_STR_EQ(p.mime_type, "image/jpeg");
        CHECK(p.data != NULL && p.size > 100);
        CHECK_MSG(p.data[0] == 0xFF && p.data[1] == 0xD8, "JPEG magic: %02x %02x", p.data[0], p.data[1]);
        CHECK_MSG(p.data[p.size - 2] == 0xFF && p.data[p.size - 1] == 0xD9, "ends with EOI");
        CHECK(jpeg_size(p.data, p.size, &w, &h));
        CHECK_INT_EQ(w, 640);
        CHECK_INT_EQ(h, 480);
        CHECK_INT_EQ(p.width, 640);
        CHECK_INT_EQ(p.height, 480);
        CHECK(p.timestamp_us > 0 && p.timestamp_us <= now_us());
        CHECK_OK(lms_photo_free(&p));
        CHECK_STATUS(lms_photo_free(&p), LMS_ERR_INVALID_HANDLE);
    }
    if (take_photo(t, "{\"imageWidth\": 320}", &p)) {
        w = h = 0;
        CHECK(jpeg_size(p.data, p.size, &w, &h));
        CHECK_INT_EQ(w, 320);
        CHECK_INT_EQ(h, 240);
        CHECK_INT_EQ(p.width, 320);
        CHECK_INT_EQ(p.height, 240);
        CHECK_OK(lms_photo_free(&p));
    }
    if (take_photo(t, "{\"imageWidth\": 200, \"imageHeight\": 200, \"imageType\": \"image/jpeg\"}", &p)) {
        w = h = 0;
        CHECK(jpeg_size(p.data, p.size, &w, &h));
        CHECK_MSG(w == 200 && h == 200, "%ux%u", (unsigned)w, (unsigned)h);
        CHECK_OK(lms_photo_free(&p));
    }
    /* The track's size is unchanged by photos of other sizes. */
    CHECK_INT_EQ(settings_int(t, "width"), 640);
    CHECK_INT_EQ(settings_int(t, "height"), 480);
    CHECK_OK(lms_track_free(t));
}

static void a_png_photo_on_request(void) {
    lms_track t;
    lms_photo p;
    uint32_t w = 0, h = 0;
    configure(CONFIG_UNPACED);
    t = open_track(VGA, LMS_TRACK_KIND_VIDEO);
    if (take_photo(t, "{\"imageType\": \"image/png\", \"imageWidth\": 160}", &p)) {
        CHECK_STR_EQ(p.mime_type, "image/png");
        CHECK(png_size(p.data, p.size, &w, &h));
        CHECK_INT_EQ(w, 160);
        CHECK_INT_EQ(h, 120);
        CHECK_INT_EQ(p.width, 160);
        CHECK_INT_EQ(p.height, 120);
        CHECK_OK(lms_photo_free(&p));
    }
    CHECK_OK(lms_track_free(t));
}

/* The photo's bytes stay valid after the track stops and its handle is freed. */
static void a_photo_outlives_its_track(void) {
    lms_track t;
    lms_photo p, copy;
    unsigned long long sum = 0;
    size_t i;
    configure(CONFIG_UNPACED);
    t = open_track("{\"video\": {\"width\": 160, \"height\": 120}}", LMS_TRACK_KIND_VIDEO);
    if (!take_photo(t, NULL, &p)) {
        CHECK_OK(lms_track_free(t));
        return;
    }
    CHECK_OK(lms_track_stop(t));
    CHECK_OK(lms_track_free(t));
    CHECK(!device_is_open("fake:video:0"));
    for (i = 0; i < p.size; i++) {
        sum += p.data[i];
    }
    CHECK(sum > 0);
    CHECK(p.data[0] == 0xFF && p.data[1] == 0xD8);
    copy = p;
    CHECK_OK(lms_photo_free(&p));
    CHECK_STATUS(lms_photo_free(&copy), LMS_ERR_INVALID_HANDLE);
}

/* A photo never takes a frame from the track's own reader. */
static void photos_and_reads_share_a_track(void) {
    lms_track t;
    lms_photo p;
    lms_frame f;
    uint64_t seq = 0;
    configure(CONFIG_UNPACED);
    t = open_track("{\"video\": {\"width\": 320, \"height\": 240}}", LMS_TRACK_KIND_VIDEO);
    if (read_frame(t, &f)) {
        CHECK_OK(lms_frame_release(&f));
    }
    if (take_photo(t, NULL, &p)) {
        CHECK_OK(lms_photo_free(&p));
    }
    if (read_frame(t, &f)) {
        CHECK_INT_EQ(f.width, 320);
        CHECK(f.pixel_format == LMS_PIXEL_FORMAT_I420);
        CHECK_OK(lms_frame_decode_sequence(&f, &seq));
        CHECK_OK(lms_frame_release(&f));
    }
    CHECK_OK(lms_track_free(t));
}

/* ---- grabFrame ---- */

static void grab_frame_gives_rgba_at_the_track_size(void) {
    lms_track t;
    lms_frame f;
    uint64_t seq = 0;
    configure(CONFIG_UNPACED);
    t = open_track("{\"video\": {\"width\": 320, \"height\": 180}}", LMS_TRACK_KIND_VIDEO);
    lms_status st = lms_track_grab_frame(t, patience_ms(), &f);
    CHECK_MSG(st == LMS_OK, "lms_track_grab_frame: %s: %s", lms_status_name(st), lms_last_error_message());
    if (st == LMS_OK) {
        CHECK(f.kind == LMS_TRACK_KIND_VIDEO);
        CHECK(f.pixel_format == LMS_PIXEL_FORMAT_RGBA);
        CHECK_INT_EQ(f.width, 320);
        CHECK_INT_EQ(f.height, 180);
        CHECK_INT_EQ(f.plane_count, 1);
        CHECK(f.strides[0] >= 320 * 4);
        CHECK(f.plane_sizes[0] >= (size_t)f.strides[0] * 179 + 320 * 4);
        CHECK(frame_checksum(&f) > 0);
        /* The fake camera's code survives the RGBA conversion. */
        CHECK_OK(lms_frame_decode_sequence(&f, &seq));
        CHECK_OK(lms_frame_release(&f));
        CHECK_STATUS(lms_frame_release(&f), LMS_ERR_INVALID_HANDLE);
    }
    /* The track itself still delivers its own format. */
    CHECK_INT_EQ(settings_int(t, "width"), 320);
    CHECK_OK(lms_track_free(t));
}

/* ---- photo capabilities and settings ---- */

static void photo_capabilities_and_settings_follow_the_camera(void) {
    lms_track t;
    char *json = NULL;
    double min = 0, max = 0;
    long long w = 0, h = 0;
    bool red_eye = true;
    configure(CONFIG_UNPACED);
    t = open_track(VGA, LMS_TRACK_KIND_VIDEO);
    CHECK_OK(lms_track_photo_capabilities(t, &json));
    if (json != NULL) {
        CHECK_MSG(json_range(json, "imageWidth", &min, &max) && min == 1 && max == 640, "%s", json);
        CHECK_MSG(json_range(json, "imageHeight", &min, &max) && min == 1 && max == 480, "%s", json);
        CHECK_MSG(strstr(json, "\"fillLightMode\"") != NULL, "%s", json);
        CHECK_MSG(strstr(json, "\"redEyeReduction\"") != NULL, "%s", json);
        lms_string_free(json);
        json = NULL;
    }
    CHECK_OK(lms_track_photo_settings(t, &json));
    if (json != NULL) {
        CHECK_MSG(json_int(json, "imageWidth", &w) && w == 640, "%s", json);
        CHECK_MSG(json_int(json, "imageHeight", &h) && h == 480, "%s", json);
        CHECK_MSG(json_bool(json, "redEyeReduction", &red_eye) && !red_eye, "%s", json);
        lms_string_free(json);
        json = NULL;
    }
    CHECK_OK(lms_track_free(t));
}

/* ---- errors ---- */

static void an_ended_track_is_invalid_state(void) {
    lms_track t;
    lms_photo p;
    lms_frame f;
    char *s = SENTINEL_STRING;
    configure(CONFIG_UNPACED);
    t = open_track(VGA, LMS_TRACK_KIND_VIDEO);
    CHECK_OK(lms_track_stop(t));
    poison_photo(&p);
    poison_frame(&f);
    CHECK_STATUS(lms_track_take_photo(t, NULL, 1000, &p), LMS_ERR_INVALID_STATE);
    CHECK_MSG(strstr(lms_last_error_message(), "ended") != NULL, "%s", lms_last_error_message());
    CHECK_STATUS(lms_track_grab_frame(t, 1000, &f), LMS_ERR_INVALID_STATE);
    CHECK_STATUS(lms_track_photo_capabilities(t, &s), LMS_ERR_INVALID_STATE);
    CHECK_STATUS(lms_track_photo_settings(t, &s), LMS_ERR_INVALID_STATE);
    CHECK_MSG(photo_poisoned(&p), "take_photo wrote its out-parameter on failure");
    CHECK_MSG(frame_poisoned(&f), "grab_frame wrote its out-parameter on failure");
    CHECK(s == SENTINEL_STRING);
    CHECK_OK(lms_track_free(t));
}

static void an_audio_track_is_a_type_error(void) {
    lms_track a;
    lms_photo p;
    lms_frame f;
    char *s = SENTINEL_STRING;
    configure(CONFIG_UNPACED);
    a = open_track("{\"audio\": true}", LMS_TRACK_KIND_AUDIO);
    poison_photo(&p);
    poison_frame(&f);
    CHECK_STATUS(lms_track_take_photo(a, NULL, 1000, &p), LMS_ERR_TYPE);
    CHECK_MSG(strstr(lms_last_error_message(), "video") != NULL, "%s", lms_last_error_message());
    CHECK_STATUS(lms_track_grab_frame(a, 1000, &f), LMS_ERR_TYPE);
    CHECK_STATUS(lms_track_photo_capabilities(a, &s), LMS_ERR_TYPE);
    CHECK_STATUS(lms_track_photo_settings(a, &s), LMS_ERR_TYPE);
    CHECK(photo_poisoned(&p) && frame_poisoned(&f) && s == SENTINEL_STRING);
    CHECK_OK(lms_track_free(a));
}

static void bad_photo_settings_are_type_errors_and_impossible_ones_overconstrained(void) {
    static const char *malformed[] = {
        "{",
        "[640, 480]",
        "\"big\"",
        "{\"imageWidth\": \"big\"}",
        "{\"imageWidth\": -5}",
        "{\"imageType\": \"image/gif\"}",
        "{\"redEyeReduction\": \"yes\"}",
    };
    static const struct {
        const char *settings;
        const char *constraint;
    } impossible[] = {
        {"{\"imageWidth\": 100000}", "imageWidth"},
        {"{\"imageWidth\": 640, \"imageHeight\": 4000}", "imageHeight"},
        {"{\"imageHeight\": 4000}", "imageWidth"}, /* one side keeps the aspect ratio: 5333x4000 */
        {"{\"fillLightMode\": \"flash\"}", "fillLightMode"},
        {"{\"redEyeReduction\": true}", "redEyeReduction"},
    };
    lms_track t;
    lms_photo p;
    size_t i;
    configure(CONFIG_UNPACED);
    t = open_track(VGA, LMS_TRACK_KIND_VIDEO);
    for (i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        lms_status st;
        poison_photo(&p);
        st = lms_track_take_photo(t, malformed[i], 1000, &p);
        CHECK_MSG(st == LMS_ERR_TYPE, "%s: %s: %s", malformed[i], lms_status_name(st), lms_last_error_message());
        CHECK(photo_poisoned(&p));
    }
    for (i = 0; i < sizeof impossible / sizeof impossible[0]; i++) {
        lms_status st;
        poison_photo(&p);
        st = lms_track_take_photo(t, impossible[i].settings, 1000, &p);
        CHECK_MSG(st == LMS_ERR_OVERCONSTRAINED, "%s: %s: %s", impossible[i].settings, lms_status_name(st),
                  lms_last_error_message());
        CHECK_STR_EQ(lms_last_error_constraint(), impossible[i].constraint);
        CHECK(photo_poisoned(&p));
    }
    /* Unknown members are ignored, as in a WebIDL dictionary. */
    if (take_photo(t, "{\"imageWidth\": 64, \"sparkle\": 3}", &p)) {
        CHECK_INT_EQ(p.width, 64);
        CHECK_OK(lms_photo_free(&p));
    }
    /* Not UTF-8. */
    CHECK_STATUS(lms_track_take_photo(t, "{\"imageType\": \"\xff\"}", 1000, &p), LMS_ERR_INVALID_ARGUMENT);
    CHECK_OK(lms_track_free(t));
}

static void null_and_bad_handles_are_refused(void) {
    lms_track t, bad = {FORGED_ID};
    lms_photo p, forged;
    lms_frame f;
    char *s = SENTINEL_STRING;
    configure(CONFIG_UNPACED);
    t = open_track(VGA, LMS_TRACK_KIND_VIDEO);
    CHECK_STATUS(lms_track_take_photo(t, NULL, 1000, NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_track_grab_frame(t, 1000, NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_track_photo_capabilities(t, NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_track_photo_settings(t, NULL), LMS_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(lms_photo_free(NULL), LMS_ERR_INVALID_ARGUMENT);
    poison_photo(&p);
    poison_frame(&f);
    CHECK_STATUS(lms_track_take_photo(bad, NULL, 1000, &p), LMS_ERR_INVALID_HANDLE);
    CHECK_STATUS(lms_track_take_photo((lms_track){0}, NULL, 1000, &p), LMS_ERR_INVALID_HANDLE);
    CHECK_STATUS(lms_track_grab_frame(bad, 1000, &f), LMS_ERR_INVALID_HANDLE);
    CHECK_STATUS(lms_track_photo_capabilities(bad, &s), LMS_ERR_INVALID_HANDLE);
    CHECK_STATUS(lms_track_photo_settings(bad, &s), LMS_ERR_INVALID_HANDLE);
    CHECK(photo_poisoned(&p) && frame_poisoned(&f) && s == SENTINEL_STRING);
    /* A forged photo, and a frame handle passed as a photo. */
    memset(&forged, 0, sizeof forged);
    forged.handle = FORGED_ID;
    CHECK_STATUS(lms_photo_free(&forged), LMS_ERR_INVALID_HANDLE);
    forged.handle = 0;
    CHECK_STATUS(lms_photo_free(&forged), LMS_ERR_INVALID_HANDLE);
    if (read_frame(t, &f)) {
        forged.handle = f.handle;
        CHECK_STATUS(lms_photo_free(&forged), LMS_ERR_INVALID_HANDLE);
        CHECK_OK(lms_frame_release(&f));
    }
    /* A photo handle is no frame handle. */
    if (take_photo(t, NULL, &p)) {
        lms_frame as_frame;
        memset(&as_frame, 0, sizeof as_frame);
        as_frame.handle = p.handle;
        CHECK_STATUS(lms_frame_release(&as_frame), LMS_ERR_INVALID_HANDLE);
        CHECK_OK(lms_photo_free(&p));
    }
    CHECK_OK(lms_track_free(t));
    /* A freed track handle. */
    CHECK_STATUS(lms_track_take_photo(t, NULL, 1000, &p), LMS_ERR_INVALID_HANDLE);
}

/* ---- camera controls, through the constraint calls ---- */

static double settings_number(lms_track t, const char *key) {
    char json[4096];
    double v = -12345;
    track_settings(t, json, sizeof json);
    CHECK_MSG(json_number(json, key, &v), "settings have no number %s: %s", key, json);
    return v;
}

static void settings_text(lms_track t, const char *key, char *buf, size_t size) {
    char json[4096];
    track_settings(t, json, sizeof json);
    buf[0] = '\0';
    CHECK_MSG(json_string(json, key, buf, size), "settings have no string %s: %s", key, json);
}

static void controls_are_capabilities_settings_and_supported_constraints(void) {
    lms_track t;
    char *json = NULL;
    double min = 0, max = 0;
    static const char *controls[] = {"whiteBalanceMode", "exposureMode", "focusMode", "exposureCompensation",
                                     "exposureTime",     "colorTemperature", "iso", "brightness",
                                     "contrast",         "saturation",   "sharpness", "focusDistance",
                                     "pan",              "tilt",         "zoom",      "torch"};
    size_t i;
    configure(CONFIG_UNPACED);
    CHECK_OK(lms_get_supported_constraints(&json));
    for (i = 0; json != NULL && i < sizeof controls / sizeof controls[0]; i++) {
        bool b = false;
        CHECK_MSG(json_bool(json, controls[i], &b) && b, "%s not supported: %s", controls[i], json);
    }
    lms_string_free(json);
    json = NULL;
    /* Without opening the device. */
    CHECK_OK(lms_device_capabilities("fake:video:0", &json));
    if (json != NULL) {
        CHECK_MSG(json_range(json, "zoom", &min, &max) && min == 1 && max == 4, "%s", json);
        lms_string_free(json);
        json = NULL;
    }
    CHECK(!device_is_open("fake:video:0"));
    t = open_track(VGA, LMS_TRACK_KIND_VIDEO);
    CHECK_OK(lms_track_capabilities(t, &json));
    for (i = 0; json != NULL && i < sizeof controls / sizeof controls[0]; i++) {
        CHECK_MSG(json_value(json, controls[i]) != NULL, "no capability %s: %s", controls[i], json);
    }
    if (json != NULL) {
        CHECK_MSG(json_range(json, "brightness", &min, &max) && min == 0 && max == 255, "%s", json);
        CHECK_MSG(strstr(json, "\"manual\"") != NULL && strstr(json, "\"continuous\"") != NULL, "%s", json);
        lms_string_free(json);
        json = NULL;
    }
    CHECK_OK(lms_track_settings(t, &json));
    for (i = 0; json != NULL && i < sizeof controls / sizeof controls[0]; i++) {
        CHECK_MSG(json_value(json, controls[i]) != NULL, "no setting %s: %s", controls[i], json);
    }
    lms_string_free(json);
    CHECK_OK(lms_track_free(t));
}

static void apply_constraints_sets_controls_and_settings_read_them_back(void) {
    lms_track t;
    char mode[32];
    configure(CONFIG_UNPACED);
    t = open_track(VGA, LMS_TRACK_KIND_VIDEO);
    CHECK(settings_number(t, "brightness") == 128);
    CHECK_OK(lms_track_apply_constraints(t, "{\"brightness\": 200}"));
    CHECK(settings_number(t, "brightness") == 200);
    CHECK_OK(lms_track_apply_constraints(t, "{\"brightness\": {\"exact\": 50}, \"zoom\": {\"exact\": 2.5}}"));
    CHECK(settings_number(t, "brightness") == 50);
    CHECK(settings_number(t, "zoom") == 2.5);
    /* An impossible control fails naming it and changes nothing. */
    CHECK_STATUS(lms_track_apply_constraints(t, "{\"zoom\": {\"exact\": 1000}}"), LMS_ERR_OVERCONSTRAINED);
    CHECK_STR_EQ(lms_last_error_constraint(), "zoom");
    CHECK(settings_number(t, "zoom") == 2.5);
    CHECK_STATUS(lms_track_apply_constraints(t, "{\"brightness\": {\"min\": 300}}"), LMS_ERR_OVERCONSTRAINED);
    CHECK_STR_EQ(lms_last_error_constraint(), "brightness");
    CHECK(settings_number(t, "brightness") == 50);
    /* A manual value switches its mode to manual. */
    settings_text(t, "exposureMode", mode, sizeof mode);
    CHECK_STR_EQ(mode, "continuous");
    CHECK_OK(lms_track_apply_constraints(t, "{\"exposureTime\": {\"exact\": 100}}"));
    settings_text(t, "exposureMode", mode, sizeof mode);
    CHECK_STR_EQ(mode, "manual");
    CHECK(settings_number(t, "exposureTime") == 100);
    /* torch is a boolean. */
    CHECK_OK(lms_track_apply_constraints(t, "{\"torch\": {\"exact\": true}}"));
    {
        char json[4096];
        bool torch = false;
        track_settings(t, json, sizeof json);
        CHECK_MSG(json_bool(json, "torch", &torch) && torch, "%s", json);
    }
    CHECK_OK(lms_track_free(t));
}

static void lms_open_sets_controls_as_constraints(void) {
    lms_stream s;
    lms_track t;
    configure(CONFIG_UNPACED);
    t = open_track("{\"video\": {\"zoom\": {\"exact\": 3}, \"pan\": {\"exact\": -45}}}", LMS_TRACK_KIND_VIDEO);
    CHECK(settings_number(t, "zoom") == 3);
    CHECK(settings_number(t, "pan") == -45);
    CHECK_OK(lms_track_free(t));
    s.id = FORGED_ID;
    CHECK_STATUS(lms_open("{\"video\": {\"zoom\": {\"exact\": 1000}}}", &s), LMS_ERR_OVERCONSTRAINED);
    CHECK_STR_EQ(lms_last_error_constraint(), "zoom");
    CHECK(s.id == FORGED_ID);
}

/* Controls belong to the device: a change through one track shows in every track on it. */
static void two_tracks_on_one_camera_share_its_controls(void) {
    lms_track a, b, other;
    configure(CONFIG_UNPACED);
    a = open_track(VGA, LMS_TRACK_KIND_VIDEO);
    b = open_track("{\"video\": {\"width\": 320, \"height\": 240}}", LMS_TRACK_KIND_VIDEO);
    other = open_track("{\"video\": {\"deviceId\": {\"exact\": \"fake:video:1\"}}}", LMS_TRACK_KIND_VIDEO);
    CHECK_OK(lms_track_apply_constraints(a, "{\"brightness\": {\"exact\": 77}}"));
    CHECK(settings_number(a, "brightness") == 77);
    CHECK(settings_number(b, "brightness") == 77);
    CHECK(settings_number(other, "brightness") == 128);
    CHECK_OK(lms_track_apply_constraints(b, "{\"zoom\": {\"exact\": 2}}"));
    CHECK(settings_number(a, "zoom") == 2);
    CHECK_OK(lms_track_free(a));
    CHECK_OK(lms_track_free(b));
    CHECK_OK(lms_track_free(other));
}

static void a_camera_refusing_writes_is_not_readable(void) {
    lms_track t;
    configure(CONFIG_UNPACED);
    t = open_track(VGA, LMS_TRACK_KIND_VIDEO);
    CHECK_OK(lms_fake_device_control("fake:video:0", "controls-refuse"));
    CHECK_STATUS(lms_track_apply_constraints(t, "{\"brightness\": {\"exact\": 10}}"), LMS_ERR_NOT_READABLE);
    CHECK_MSG(strstr(lms_last_error_message(), "brightness") != NULL, "%s", lms_last_error_message());
    CHECK_OK(lms_fake_device_control("fake:video:0", "controls-accept"));
    CHECK_OK(lms_track_apply_constraints(t, "{\"brightness\": {\"exact\": 10}}"));
    CHECK(settings_number(t, "brightness") == 10);
    CHECK_OK(lms_track_free(t));
}

int main(void) {
    static const harness_case cases[] = {
        TEST(a_photo_is_a_jpeg_of_the_track_size),
        TEST(a_png_photo_on_request),
        TEST(a_photo_outlives_its_track),
        TEST(photos_and_reads_share_a_track),
        TEST(grab_frame_gives_rgba_at_the_track_size),
        TEST(photo_capabilities_and_settings_follow_the_camera),
        TEST(an_ended_track_is_invalid_state),
        TEST(an_audio_track_is_a_type_error),
        TEST(bad_photo_settings_are_type_errors_and_impossible_ones_overconstrained),
        TEST(null_and_bad_handles_are_refused),
        TEST(controls_are_capabilities_settings_and_supported_constraints),
        TEST(apply_constraints_sets_controls_and_settings_read_them_back),
        TEST(lms_open_sets_controls_as_constraints),
        TEST(two_tracks_on_one_camera_share_its_controls),
        TEST(a_camera_refusing_writes_is_not_readable),
    };
    return RUN_TESTS(cases);
}
