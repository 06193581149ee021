/*
 * A V4L2 camera in user space, for tests on machines without one.
 *
 * Loaded with LD_PRELOAD into a test process, it makes the real Linux path of
 * nokhwa and the `v4l` crate run against cameras that exist only here:
 *
 *   - /dev listings (opendir / readdir / readdir64) gain `videoN` entries
 *     (and lose real ones, so tests see only these cameras);
 *   - open*("/dev/videoN") returns a timerfd standing for the device, and
 *     open*("/sys/class/video4linux/videoN/name") a memfd holding its name;
 *   - ioctls on those descriptors (the `v4l` crate issues them through
 *     syscall(SYS_ioctl, ...), so syscall() is wrapped too) answer as a UVC
 *     driver would: QUERYCAP, ENUM_FMT, ENUM_FRAMESIZES, ENUM_FRAMEINTERVALS,
 *     G/S/TRY_FMT, G/S_PARM, REQBUFS, QUERYBUF, QBUF, DQBUF, STREAMON,
 *     STREAMOFF, and the controls: QUERYCTRL, QUERY_EXT_CTRL (with NEXT_CTRL
 *     walking), QUERYMENU, G/S_CTRL, G/S/TRY_EXT_CTRLS (see "Controls");
 *   - mmap() of a device descriptor maps the buffers, kept in a memfd;
 *   - poll() waits on the timerfd, which ticks at the frame rate while
 *     streaming; STREAMOFF and unplugging wake a waiting poll, as vb2 does;
 *   - readlink("/proc/self/fd/N") names the device node, as the kernel does.
 * Everything else is passed to the C library untouched.
 *
 * Configuration: the file named by LMS_STANDIN_CONFIG, lines of fields split
 * by '|':
 *   device|N|label|bus_info|facing          (facing: user, environment or -)
 *   mode|FOURCC|width|height|rates|frames|padding
 * FOURCC is YUYV or MJPG; rates like 30,15; frames a file of pictures: YUYV
 * ones back to back, or JPEGs each after its length (4 bytes, little endian);
 * padding is extra bytes at the end of each YUYV row (bytesperline). A
 * DQBUF hands out picture (frame counter % pictures), the frame counter
 * counting timer ticks since STREAMON. Modes belong to the device above them.
 *
 * Test controls, called by the test through dlsym: lms_standin_control(N,
 * action) with action vanish, return, busy, broken, error, wedged, stall or
 * ok (and the control knobs below); lms_standin_usage(N, out[7]) gives opens,
 * closes, descriptors open now, STREAMONs, STREAMOFFs, frames handed out and
 * the frame rate set (fps).
 *
 * Controls: every device has those of a common UVC webcam (v4l2-ctl names):
 *   brightness 0-255 (128), contrast 0-255 (32), saturation 0-255 (64),
 *   white_balance_automatic bool (1), gain 0-255 (0), power_line_frequency
 *   menu 0-2 (2), white_balance_temperature 2000-6500 (4600; inactive while
 *   white_balance_automatic is 1), sharpness 0-255 (3), auto_exposure menu
 *   with items 1 "Manual Mode" and 3 "Aperture Priority Mode" (3),
 *   exposure_time_absolute 3-2047 (250; inactive unless auto_exposure is 1),
 *   pan_absolute / tilt_absolute -36000-36000 step 3600 (0), focus_absolute
 *   0-250 step 5 (0; inactive while focus_automatic_continuous is 1),
 *   focus_automatic_continuous bool (1), zoom_absolute 100-500 (100), and the
 *   class headers "User Controls" and "Camera Controls". The knob `extend`
 *   adds auto_exposure_bias (integer menu -2000..2000 step 500, 0.001 EV,
 *   default 0), iso_sensitivity (integer menu 100, 200, 400, 800, 1600) and
 *   led_mode (menu 0 Off, 1 Flash, 2 Torch; "Flash Controls").
 * Writes behave as uvcvideo's: integers are clamped into range and rounded
 * to the nearest step silently; booleans clamped to 0..1; a menu index out
 * of range is ERANGE, one the menu skips EINVAL; a control whose automatic
 * mode is on (INACTIVE) is EACCES unless the same call sets that mode to
 * manual first; read-only is EACCES, grabbed EBUSY, disabled or unknown
 * EINVAL. S_EXT_CTRLS checks every control of the call before setting any.
 * Knobs (lms_standin_control actions): `refuse:NAME=ERRNO` (writes of NAME
 * fail with ERRNO), `limit:NAME=MAX` (writes above MAX are stored as MAX,
 * silently), `flag:NAME=FLAGS` (V4L2_CTRL_FLAG_* bits added, e.g. 1
 * disabled, 2 grabbed, 4 read-only), `extend`, `legacy` (an old driver:
 * QUERY_EXT_CTRL and the EXT_CTRLS calls fail with ENOTTY), `controls-ok`
 * (clears the refuse, limit and flag knobs). Every write (S_CTRL,
 * S_EXT_CTRLS) is appended to the file named by LMS_STANDIN_CONTROL_LOG, one
 * line per control:
 *   S_EXT_CTRLS|0x009a090d|zoom_absolute|300|ok|300
 * (call, id, name, value asked, ok or the errno's name, value held after;
 * the other controls of a refused S_EXT_CTRLS say "skipped").
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_DEVICES 4
#define MAX_MODES 8
#define MAX_RATES 8
#define MAX_FDS 1024
#define MAX_BUFFERS 8
#define MAX_DIRS 8
#define MAX_CTRLS 32

struct ctrl {
    uint32_t id, type;
    const char *key;  /* v4l2-ctl's name: zoom_absolute */
    const char *name; /* the driver's: "Zoom, Absolute" */
    int64_t min, max, step, def;
    uint32_t flags;
    uint64_t menu_mask;            /* menus: the items offered */
    const char *const *menu_names; /* MENU item names by index */
    const int64_t *menu_values;    /* INTEGER_MENU values by index */
    uint32_t master;               /* inactive unless `master` holds `manual` */
    int32_t manual;
    int extended; /* present only after the `extend` knob */
    /* state and knobs */
    int32_t value;
    uint32_t extra; /* flags added by the `flag` knob */
    int refuse;     /* errno every write fails with, 0: none */
    int limited;
    int32_t limit;
};

struct pictures {
    unsigned char *data;
    size_t count;
    size_t *offset;
    size_t *length;
    size_t largest;
};

struct mode {
    uint32_t fourcc, width, height, padding;
    uint32_t rates[MAX_RATES];
    int nrates;
    struct pictures pictures;
};

struct device {
    int configured, present, number;
    char label[32], bus[32];
    int facing; /* -1: none, else V4L2_CAMERA_ORIENTATION_* */
    struct mode modes[MAX_MODES];
    int nmodes, mode, rate;
    int busy, broken, error, wedged, stalled;
    int owner, streaming, memfd, nbufs;
    size_t buf_size;
    unsigned char *map;
    int queue[MAX_BUFFERS], nqueued;
    uint64_t counter;
    long opens, closes, open_fds, streamons, streamoffs, frames;
    struct ctrl ctrls[MAX_CTRLS];
    int nctrls, extended, legacy;
};

static struct device devices[MAX_DEVICES];
static int fd_device[MAX_FDS]; /* device index + 1 for each fake descriptor, else 0 */
static struct {
    DIR *dir;
    int next;
    struct dirent64 entry;
} dirs[MAX_DIRS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *control_log; /* LMS_STANDIN_CONTROL_LOG */

static const char *const exposure_menu[] = {"Auto Mode", "Manual Mode", "Shutter Priority Mode",
                                            "Aperture Priority Mode"};
static const char *const power_line_menu[] = {"Disabled", "50 Hz", "60 Hz"};
static const char *const led_menu[] = {"Off", "Flash", "Torch"};
static const int64_t bias_menu[] = {-2000, -1500, -1000, -500, 0, 500, 1000, 1500, 2000};
static const int64_t iso_menu[] = {100, 200, 400, 800, 1600};

#define CLASS_FLAGS (V4L2_CTRL_FLAG_READ_ONLY | V4L2_CTRL_FLAG_WRITE_ONLY)
static const struct ctrl CONTROLS[] = {
    {.id = V4L2_CID_USER_CLASS, .type = V4L2_CTRL_TYPE_CTRL_CLASS, .key = "user_controls",
     .name = "User Controls", .flags = CLASS_FLAGS},
    {V4L2_CID_BRIGHTNESS, V4L2_CTRL_TYPE_INTEGER, "brightness", "Brightness", 0, 255, 1, 128},
    {V4L2_CID_CONTRAST, V4L2_CTRL_TYPE_INTEGER, "contrast", "Contrast", 0, 255, 1, 32},
    {V4L2_CID_SATURATION, V4L2_CTRL_TYPE_INTEGER, "saturation", "Saturation", 0, 255, 1, 64},
    {V4L2_CID_AUTO_WHITE_BALANCE, V4L2_CTRL_TYPE_BOOLEAN, "white_balance_automatic",
     "White Balance, Automatic", 0, 1, 1, 1},
    {V4L2_CID_GAIN, V4L2_CTRL_TYPE_INTEGER, "gain", "Gain", 0, 255, 1, 0},
    {V4L2_CID_POWER_LINE_FREQUENCY, V4L2_CTRL_TYPE_MENU, "power_line_frequency",
     "Power Line Frequency", 0, 2, 1, 2, .menu_mask = 7, .menu_names = power_line_menu},
    {V4L2_CID_WHITE_BALANCE_TEMPERATURE, V4L2_CTRL_TYPE_INTEGER, "white_balance_temperature",
     "White Balance Temperature", 2000, 6500, 1, 4600, .master = V4L2_CID_AUTO_WHITE_BALANCE,
     .manual = 0},
    {V4L2_CID_SHARPNESS, V4L2_CTRL_TYPE_INTEGER, "sharpness", "Sharpness", 0, 255, 1, 3},
    {.id = V4L2_CID_CAMERA_CLASS, .type = V4L2_CTRL_TYPE_CTRL_CLASS, .key = "camera_controls",
     .name = "Camera Controls", .flags = CLASS_FLAGS},
    {V4L2_CID_EXPOSURE_AUTO, V4L2_CTRL_TYPE_MENU, "auto_exposure", "Auto Exposure", 0, 3, 1,
     V4L2_EXPOSURE_APERTURE_PRIORITY, .menu_mask = (1 << V4L2_EXPOSURE_MANUAL) |
                                                   (1 << V4L2_EXPOSURE_APERTURE_PRIORITY),
     .menu_names = exposure_menu},
    {V4L2_CID_EXPOSURE_ABSOLUTE, V4L2_CTRL_TYPE_INTEGER, "exposure_time_absolute",
     "Exposure Time, Absolute", 3, 2047, 1, 250, .master = V4L2_CID_EXPOSURE_AUTO,
     .manual = V4L2_EXPOSURE_MANUAL},
    {V4L2_CID_PAN_ABSOLUTE, V4L2_CTRL_TYPE_INTEGER, "pan_absolute", "Pan, Absolute", -36000, 36000,
     3600, 0},
    {V4L2_CID_TILT_ABSOLUTE, V4L2_CTRL_TYPE_INTEGER, "tilt_absolute", "Tilt, Absolute", -36000,
     36000, 3600, 0},
    {V4L2_CID_FOCUS_ABSOLUTE, V4L2_CTRL_TYPE_INTEGER, "focus_absolute", "Focus, Absolute", 0, 250,
     5, 0, .master = V4L2_CID_FOCUS_AUTO, .manual = 0},
    {V4L2_CID_FOCUS_AUTO, V4L2_CTRL_TYPE_BOOLEAN, "focus_automatic_continuous",
     "Focus, Automatic Continuous", 0, 1, 1, 1},
    {V4L2_CID_ZOOM_ABSOLUTE, V4L2_CTRL_TYPE_INTEGER, "zoom_absolute", "Zoom, Absolute", 100, 500, 1,
     100},
    {V4L2_CID_AUTO_EXPOSURE_BIAS, V4L2_CTRL_TYPE_INTEGER_MENU, "auto_exposure_bias",
     "Auto Exposure, Bias", 0, 8, 1, 4, .menu_mask = 0x1ff, .menu_values = bias_menu,
     .extended = 1},
    {V4L2_CID_ISO_SENSITIVITY, V4L2_CTRL_TYPE_INTEGER_MENU, "iso_sensitivity", "ISO Sensitivity",
     0, 4, 1, 0, .menu_mask = 0x1f, .menu_values = iso_menu, .extended = 1},
    {.id = V4L2_CID_FLASH_CLASS, .type = V4L2_CTRL_TYPE_CTRL_CLASS, .key = "flash_controls",
     .name = "Flash Controls", .flags = CLASS_FLAGS, .extended = 1},
    {V4L2_CID_FLASH_LED_MODE, V4L2_CTRL_TYPE_MENU, "led_mode", "LED Mode", 0, 2, 1,
     V4L2_FLASH_LED_MODE_NONE, .menu_mask = 7, .menu_names = led_menu, .extended = 1},
};

static int (*real_open)(const char *, int, ...);
static int (*real_open64)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_openat64)(int, const char *, int, ...);
static int (*real_close)(int);
static long (*real_syscall)(long, ...);
static int (*real_ioctl)(int, unsigned long, ...);
static void *(*real_mmap)(void *, size_t, int, int, int, off_t);
static void *(*real_mmap64)(void *, size_t, int, int, int, off64_t);
static int (*real_poll)(struct pollfd *, nfds_t, int);
static DIR *(*real_opendir)(const char *);
static int (*real_closedir)(DIR *);
static struct dirent *(*real_readdir)(DIR *);
static struct dirent64 *(*real_readdir64)(DIR *);
static ssize_t (*real_readlink)(const char *, char *, size_t);

static void load_pictures(struct mode *m, const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "lms-standin: cannot read %s\n", path);
        return;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    m->pictures.data = malloc(size > 0 ? (size_t)size : 1);
    if (size <= 0 || fread(m->pictures.data, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        return;
    }
    fclose(f);
    size_t cap = 4096, n = 0, at = 0;
    m->pictures.offset = malloc(cap * sizeof(size_t));
    m->pictures.length = malloc(cap * sizeof(size_t));
    size_t raw = (size_t)m->width * m->height * 2;
    while (at < (size_t)size && n < cap) {
        size_t len = raw;
        if (m->fourcc == V4L2_PIX_FMT_MJPEG) {
            if (at + 4 > (size_t)size) break;
            const unsigned char *p = m->pictures.data + at;
            len = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 | (size_t)p[3] << 24;
            at += 4;
        }
        if (len == 0 || at + len > (size_t)size) break;
        m->pictures.offset[n] = at;
        m->pictures.length[n] = len;
        if (len > m->pictures.largest) m->pictures.largest = len;
        n++;
        at += len;
    }
    m->pictures.count = n;
}

static char *field(char **rest) {
    char *f = *rest;
    if (!f) return "";
    char *bar = strchr(f, '|');
    if (bar) {
        *bar = 0;
        *rest = bar + 1;
    } else {
        *rest = NULL;
    }
    return f;
}

static void load_config(void) {
    const char *path = getenv("LMS_STANDIN_CONFIG");
    if (!path) return;
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "lms-standin: cannot read the configuration %s\n", path);
        return;
    }
    char line[4096];
    struct device *d = NULL;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        char *rest = line;
        char *kind = field(&rest);
        if (!strcmp(kind, "device")) {
            int number = atoi(field(&rest));
            d = NULL;
            for (int i = 0; i < MAX_DEVICES; i++)
                if (!devices[i].configured) {
                    d = &devices[i];
                    break;
                }
            if (!d) continue;
            d->configured = d->present = 1;
            d->number = number;
            snprintf(d->label, sizeof d->label, "%s", field(&rest));
            snprintf(d->bus, sizeof d->bus, "%s", field(&rest));
            const char *facing = field(&rest);
            d->facing = !strcmp(facing, "user")          ? V4L2_CAMERA_ORIENTATION_FRONT
                        : !strcmp(facing, "environment") ? V4L2_CAMERA_ORIENTATION_BACK
                                                         : -1;
            d->owner = -1;
            d->memfd = -1;
            d->nctrls = (int)(sizeof CONTROLS / sizeof CONTROLS[0]);
            memcpy(d->ctrls, CONTROLS, sizeof CONTROLS);
            for (int i = 0; i < d->nctrls; i++) d->ctrls[i].value = (int32_t)d->ctrls[i].def;
        } else if (!strcmp(kind, "mode") && d && d->nmodes < MAX_MODES) {
            struct mode *m = &d->modes[d->nmodes++];
            const char *code = field(&rest);
            m->fourcc = v4l2_fourcc(code[0], code[1], code[2], code[3]);
            m->width = (uint32_t)atoi(field(&rest));
            m->height = (uint32_t)atoi(field(&rest));
            char *rates = field(&rest);
            for (char *r = strtok(rates, ","); r && m->nrates < MAX_RATES; r = strtok(NULL, ","))
                m->rates[m->nrates++] = (uint32_t)atoi(r);
            load_pictures(m, field(&rest));
            m->padding = (uint32_t)atoi(field(&rest));
        }
    }
    fclose(f);
}

__attribute__((constructor)) static void init(void) {
    real_open = dlsym(RTLD_NEXT, "open");
    real_open64 = dlsym(RTLD_NEXT, "open64");
    real_openat = dlsym(RTLD_NEXT, "openat");
    real_openat64 = dlsym(RTLD_NEXT, "openat64");
    real_close = dlsym(RTLD_NEXT, "close");
    real_syscall = dlsym(RTLD_NEXT, "syscall");
    real_ioctl = dlsym(RTLD_NEXT, "ioctl");
    real_mmap = dlsym(RTLD_NEXT, "mmap");
    real_mmap64 = dlsym(RTLD_NEXT, "mmap64");
    real_poll = dlsym(RTLD_NEXT, "poll");
    real_opendir = dlsym(RTLD_NEXT, "opendir");
    real_closedir = dlsym(RTLD_NEXT, "closedir");
    real_readdir = dlsym(RTLD_NEXT, "readdir");
    real_readdir64 = dlsym(RTLD_NEXT, "readdir64");
    real_readlink = dlsym(RTLD_NEXT, "readlink");
    const char *log = getenv("LMS_STANDIN_CONTROL_LOG");
    if (log && *log) control_log = strdup(log);
    load_config();
}

/* ---- descriptors ---- */

static struct device *by_number(int number) {
    for (int i = 0; i < MAX_DEVICES; i++)
        if (devices[i].configured && devices[i].number == number) return &devices[i];
    return NULL;
}

static struct device *device_of(int fd) {
    if (fd < 0 || fd >= MAX_FDS || !fd_device[fd]) return NULL;
    return &devices[fd_device[fd] - 1];
}

static int number_in(const char *path, const char *prefix, const char *suffix) {
    size_t n = strlen(prefix);
    if (strncmp(path, prefix, n)) return -1;
    const char *p = path + n;
    if (*p < '0' || *p > '9') return -1;
    int number = 0;
    while (*p >= '0' && *p <= '9') number = number * 10 + (*p++ - '0');
    return strcmp(p, suffix) ? -1 : number;
}

static void set_timer(int fd, long first_ns, long period_ns) {
    struct itimerspec t = {{period_ns / 1000000000, period_ns % 1000000000},
                           {first_ns / 1000000000, first_ns % 1000000000}};
    timerfd_settime(fd, 0, &t, NULL);
}

/* Wake whoever polls the streaming descriptor (vb2 wakes them on STREAMOFF and unplug). */
static void wake(struct device *d) {
    if (d->owner >= 0) set_timer(d->owner, 1, 0);
}

static void free_buffers(struct device *d) {
    if (d->map) munmap(d->map, d->buf_size * (size_t)d->nbufs);
    if (d->memfd >= 0) real_close(d->memfd);
    d->map = NULL;
    d->memfd = -1;
    d->nbufs = d->nqueued = 0;
    d->streaming = 0;
    d->owner = -1;
}

/* The descriptor for a path we stand in for, -2 if the path is not ours. */
static int open_ours(const char *path) {
    if (!path) return -2;
    int number = number_in(path, "/dev/video", "");
    if (number >= 0) {
        pthread_mutex_lock(&lock);
        struct device *d = by_number(number);
        int fd = -1;
        if (!d || !d->present) {
            errno = ENOENT;
        } else if ((fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) >= 0) {
            if (fd >= MAX_FDS) {
                real_close(fd);
                fd = -1;
                errno = EMFILE;
            } else {
                fd_device[fd] = (int)(d - devices) + 1;
                d->opens++;
                d->open_fds++;
            }
        }
        pthread_mutex_unlock(&lock);
        return fd;
    }
    number = number_in(path, "/sys/class/video4linux/video", "/name");
    if (number >= 0) {
        struct device *d = by_number(number);
        if (!d || !d->present) {
            errno = ENOENT;
            return -1;
        }
        int fd = memfd_create("lms-standin-name", MFD_CLOEXEC);
        if (fd < 0) return -1;
        dprintf(fd, "%s\n", d->label);
        lseek(fd, 0, SEEK_SET);
        return fd;
    }
    return -2;
}

#define OPEN_BODY(call)                                   \
    int ours = open_ours(path);                           \
    if (ours != -2) return ours;                          \
    mode_t mode = 0;                                      \
    if (flags & (O_CREAT | __O_TMPFILE)) {                \
        va_list ap;                                       \
        va_start(ap, flags);                              \
        mode = va_arg(ap, mode_t);                        \
        va_end(ap);                                       \
    }                                                     \
    return call;

int open(const char *path, int flags, ...) { OPEN_BODY(real_open(path, flags, mode)) }
int open64(const char *path, int flags, ...) { OPEN_BODY(real_open64(path, flags, mode)) }
int openat(int dirfd, const char *path, int flags, ...) {
    OPEN_BODY(real_openat(dirfd, path, flags, mode))
}
int openat64(int dirfd, const char *path, int flags, ...) {
    OPEN_BODY(real_openat64(dirfd, path, flags, mode))
}

int close(int fd) {
    pthread_mutex_lock(&lock);
    struct device *d = device_of(fd);
    if (d) {
        if (d->owner == fd) {
            if (d->streaming) d->streamoffs++;
            free_buffers(d);
        }
        fd_device[fd] = 0;
        d->closes++;
        d->open_fds--;
    }
    pthread_mutex_unlock(&lock);
    return real_close(fd);
}

ssize_t readlink(const char *path, char *buf, size_t size) {
    int fd = number_in(path, "/proc/self/fd/", "");
    pthread_mutex_lock(&lock);
    struct device *d = device_of(fd);
    int number = d ? d->number : -1;
    pthread_mutex_unlock(&lock);
    if (number < 0) return real_readlink(path, buf, size);
    char target[64];
    int n = snprintf(target, sizeof target, "/dev/video%d", number);
    size_t len = (size_t)n < size ? (size_t)n : size;
    memcpy(buf, target, len);
    return (ssize_t)len;
}

/* ---- /dev listings ---- */

DIR *opendir(const char *name) {
    DIR *dir = real_opendir(name);
    if (dir && (!strcmp(name, "/dev") || !strcmp(name, "/dev/"))) {
        pthread_mutex_lock(&lock);
        for (int i = 0; i < MAX_DIRS; i++)
            if (!dirs[i].dir) {
                dirs[i].dir = dir;
                dirs[i].next = 0;
                break;
            }
        pthread_mutex_unlock(&lock);
    }
    return dir;
}

int closedir(DIR *dir) {
    pthread_mutex_lock(&lock);
    for (int i = 0; i < MAX_DIRS; i++)
        if (dirs[i].dir == dir) dirs[i].dir = NULL;
    pthread_mutex_unlock(&lock);
    return real_closedir(dir);
}

/* The next made-up entry of a /dev listing, or NULL (also for other directories). */
static struct dirent64 *made_up(DIR *dir) {
    struct dirent64 *out = NULL;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < MAX_DIRS && !out; i++) {
        if (dirs[i].dir != dir) continue;
        while (dirs[i].next < MAX_DEVICES && !out) {
            struct device *d = &devices[dirs[i].next++];
            if (!d->configured || !d->present) continue;
            struct dirent64 *e = &dirs[i].entry;
            memset(e, 0, sizeof *e);
            e->d_ino = 0x5eed0000u + (unsigned)d->number;
            e->d_type = DT_CHR;
            e->d_reclen = sizeof *e;
            snprintf(e->d_name, sizeof e->d_name, "video%d", d->number);
            out = e;
        }
    }
    pthread_mutex_unlock(&lock);
    return out;
}

static int is_tracked(DIR *dir) {
    int tracked = 0;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < MAX_DIRS; i++) tracked |= dirs[i].dir == dir;
    pthread_mutex_unlock(&lock);
    return tracked;
}

struct dirent64 *readdir64(DIR *dir) {
    struct dirent64 *e;
    int tracked = is_tracked(dir);
    while ((e = real_readdir64(dir)) && tracked && !strncmp(e->d_name, "video", 5)) {
    }
    return e ? e : made_up(dir);
}

struct dirent *readdir(DIR *dir) {
    struct dirent *e;
    int tracked = is_tracked(dir);
    while ((e = real_readdir(dir)) && tracked && !strncmp(e->d_name, "video", 5)) {
    }
    /* struct dirent and struct dirent64 are the same on 64-bit glibc. */
    return e ? e : (struct dirent *)made_up(dir);
}

/* ---- the device ---- */

static struct mode *current(struct device *d) { return &d->modes[d->mode]; }

static void describe(struct device *d, struct mode *m, struct v4l2_pix_format *pix) {
    memset(pix, 0, sizeof *pix);
    pix->width = m->width;
    pix->height = m->height;
    pix->pixelformat = m->fourcc;
    pix->field = V4L2_FIELD_NONE;
    if (m->fourcc == V4L2_PIX_FMT_MJPEG) {
        size_t raw = (size_t)m->width * m->height * 2;
        pix->sizeimage = (uint32_t)(m->pictures.largest > raw ? m->pictures.largest : raw);
        pix->colorspace = V4L2_COLORSPACE_JPEG;
    } else {
        pix->bytesperline = m->width * 2 + m->padding;
        pix->sizeimage = pix->bytesperline * m->height;
        pix->colorspace = V4L2_COLORSPACE_SRGB;
    }
    (void)d;
}

static int find_mode(struct device *d, uint32_t fourcc, uint32_t w, uint32_t h) {
    for (int i = 0; i < d->nmodes; i++)
        if (d->modes[i].fourcc == fourcc && d->modes[i].width == w && d->modes[i].height == h)
            return i;
    for (int i = 0; i < d->nmodes; i++)
        if (d->modes[i].fourcc == fourcc) return i;
    return 0;
}

static int nearest_rate(struct mode *m, double fps) {
    int best = 0;
    for (int i = 1; i < m->nrates; i++) {
        double a = m->rates[i] - fps, b = m->rates[best] - fps;
        if (a * a < b * b) best = i;
    }
    return best;
}

static void fill_buffer(struct device *d, int index, struct v4l2_buffer *b) {
    memset(b, 0, sizeof *b);
    b->index = (uint32_t)index;
    b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    b->memory = V4L2_MEMORY_MMAP;
    b->length = (uint32_t)d->buf_size;
    b->m.offset = (uint32_t)(d->buf_size * (size_t)index);
    b->flags = V4L2_BUF_FLAG_MAPPED;
    for (int i = 0; i < d->nqueued; i++)
        if (d->queue[i] == index) b->flags |= V4L2_BUF_FLAG_QUEUED;
}

/* Copy picture `counter` into buffer `index`; returns the bytes used. */
static size_t paint(struct device *d, int index) {
    struct mode *m = current(d);
    unsigned char *to = d->map + d->buf_size * (size_t)index;
    if (!m->pictures.count) return 0;
    size_t k = (size_t)(d->counter % m->pictures.count);
    const unsigned char *from = m->pictures.data + m->pictures.offset[k];
    size_t len = m->pictures.length[k];
    if (m->fourcc == V4L2_PIX_FMT_MJPEG) {
        if (len > d->buf_size) len = d->buf_size;
        memcpy(to, from, len);
        return len;
    }
    size_t row = (size_t)m->width * 2, stride = row + m->padding;
    for (uint32_t y = 0; y < m->height; y++) {
        memcpy(to + y * stride, from + y * row, row);
        memset(to + y * stride + row, 0xEE, m->padding);
    }
    return stride * m->height;
}

/* ---- controls ---- */

static struct ctrl *find_ctrl(struct device *d, uint32_t id) {
    for (int i = 0; i < d->nctrls; i++) {
        struct ctrl *c = &d->ctrls[i];
        if (c->id == id && (!c->extended || d->extended)) return c;
    }
    return NULL;
}

static struct ctrl *ctrl_by_key(struct device *d, const char *key, size_t len) {
    for (int i = 0; i < d->nctrls; i++)
        if (strlen(d->ctrls[i].key) == len && !strncmp(d->ctrls[i].key, key, len))
            return &d->ctrls[i];
    return NULL;
}

/* The control `id` or, with V4L2_CTRL_FLAG_NEXT_CTRL, the first one after it. */
static struct ctrl *query_target(struct device *d, uint32_t id) {
    uint32_t next = V4L2_CTRL_FLAG_NEXT_CTRL | V4L2_CTRL_FLAG_NEXT_COMPOUND;
    if (!(id & next)) return find_ctrl(d, id);
    uint32_t after = id & ~next;
    struct ctrl *best = NULL;
    for (int i = 0; i < d->nctrls; i++) {
        struct ctrl *c = &d->ctrls[i];
        if ((c->extended && !d->extended) || c->id <= after) continue;
        if (!best || c->id < best->id) best = c;
    }
    return best;
}

static uint32_t flags_of(struct device *d, struct ctrl *c) {
    uint32_t flags = c->flags | c->extra;
    if (c->master) {
        struct ctrl *m = find_ctrl(d, c->master);
        if (m && m->value != c->manual) flags |= V4L2_CTRL_FLAG_INACTIVE;
    }
    return flags;
}

/* Check `*value` for control `c`, adjusting it as the driver would; 0 or an
 * errno. `batch` (may be NULL) holds the call's values, `upto` how many of
 * them come before this one (a master set earlier in the same call counts). */
static int check_ctrl(struct device *d, struct ctrl *c, int32_t *value, int write,
                      const struct v4l2_ext_control *batch, int upto) {
    uint32_t flags = flags_of(d, c);
    if (c->type == V4L2_CTRL_TYPE_CTRL_CLASS || (flags & V4L2_CTRL_FLAG_DISABLED)) return EINVAL;
    if (flags & V4L2_CTRL_FLAG_READ_ONLY) return EACCES;
    if (write && (flags & V4L2_CTRL_FLAG_GRABBED)) return EBUSY;
    if (write && c->refuse) return c->refuse;
    if (c->master) {
        struct ctrl *m = find_ctrl(d, c->master);
        int32_t master = m ? m->value : c->manual;
        for (int i = 0; batch && i < upto; i++)
            if (batch[i].id == c->master) master = batch[i].value;
        if (master != c->manual) return EACCES;
    }
    int64_t v = *value;
    switch (c->type) {
    case V4L2_CTRL_TYPE_MENU:
    case V4L2_CTRL_TYPE_INTEGER_MENU:
        if (v < c->min || v > c->max) return ERANGE;
        if (!(c->menu_mask & ((uint64_t)1 << v))) return EINVAL;
        break;
    default: {
        int64_t step = c->step > 0 ? c->step : 1;
        if (v < c->min) v = c->min;
        if (v > c->max) v = c->max;
        v = c->min + (v - c->min + step / 2) / step * step;
        if (v > c->max) v -= step;
        if (write && c->limited && v > c->limit) v = c->limit;
        break;
    }
    }
    *value = (int32_t)v;
    return 0;
}

static const char *errno_name(int e) {
    switch (e) {
    case -1: return "skipped";
    case 0: return "ok";
    case EBUSY: return "EBUSY";
    case EINVAL: return "EINVAL";
    case ERANGE: return "ERANGE";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case EIO: return "EIO";
    default: return "error";
    }
}

static void log_set(const char *call, uint32_t id, struct ctrl *c, int32_t asked, int result) {
    if (!control_log) return;
    FILE *f = fopen(control_log, "a");
    if (!f) return;
    fprintf(f, "%s|0x%08x|%s|%d|%s|%d\n", call, id, c ? c->key : "?", asked, errno_name(result),
            c ? c->value : 0);
    fclose(f);
}

static int query_ctrl(struct device *d, unsigned long request, void *arg) {
    uint32_t *id = arg;
    struct ctrl *c = query_target(d, *id);
    if (!c) return EINVAL;
    uint32_t flags = flags_of(d, c);
    if (request == VIDIOC_QUERY_EXT_CTRL) {
        struct v4l2_query_ext_ctrl *q = arg;
        memset(q, 0, sizeof *q);
        q->id = c->id;
        q->type = c->type;
        snprintf(q->name, sizeof q->name, "%s", c->name);
        q->minimum = c->min;
        q->maximum = c->max;
        q->step = (uint64_t)c->step;
        q->default_value = c->def;
        q->flags = flags;
        q->elem_size = c->type == V4L2_CTRL_TYPE_CTRL_CLASS ? 0 : 4;
        q->elems = 1;
    } else {
        struct v4l2_queryctrl *q = arg;
        memset(q, 0, sizeof *q);
        q->id = c->id;
        q->type = c->type;
        snprintf((char *)q->name, sizeof q->name, "%s", c->name);
        q->minimum = (int32_t)c->min;
        q->maximum = (int32_t)c->max;
        q->step = (int32_t)c->step;
        q->default_value = (int32_t)c->def;
        q->flags = flags;
    }
    return 0;
}

static int query_menu(struct device *d, struct v4l2_querymenu *m) {
    struct ctrl *c = find_ctrl(d, m->id);
    if (!c || (c->type != V4L2_CTRL_TYPE_MENU && c->type != V4L2_CTRL_TYPE_INTEGER_MENU))
        return EINVAL;
    if ((int64_t)m->index < c->min || (int64_t)m->index > c->max ||
        !(c->menu_mask & ((uint64_t)1 << m->index)))
        return EINVAL;
    uint32_t id = m->id, index = m->index;
    memset(m, 0, sizeof *m);
    m->id = id;
    m->index = index;
    if (c->type == V4L2_CTRL_TYPE_MENU)
        snprintf((char *)m->name, sizeof m->name, "%s", c->menu_names[index]);
    else
        m->value = c->menu_values[index];
    return 0;
}

static int ext_ctrls(struct device *d, unsigned long request, struct v4l2_ext_controls *cs) {
    uint32_t which = cs->which;
    if (cs->count > 64) return EINVAL;
    struct v4l2_ext_control *list = cs->controls;
    /* Check every control first; the class (if one is named) must match. */
    for (uint32_t i = 0; i < cs->count; i++) {
        struct ctrl *c = find_ctrl(d, list[i].id);
        int error = 0;
        if (!c)
            error = EINVAL;
        else if (which != V4L2_CTRL_WHICH_CUR_VAL && which != V4L2_CTRL_WHICH_DEF_VAL &&
                 V4L2_CTRL_ID2WHICH(list[i].id) != which)
            error = EINVAL;
        else if (request == VIDIOC_G_EXT_CTRLS) {
            uint32_t flags = flags_of(d, c);
            if (c->type == V4L2_CTRL_TYPE_CTRL_CLASS || (flags & V4L2_CTRL_FLAG_DISABLED))
                error = EINVAL;
            else if (flags & V4L2_CTRL_FLAG_WRITE_ONLY)
                error = EACCES;
        } else if (which == V4L2_CTRL_WHICH_DEF_VAL) {
            error = EINVAL;
        } else {
            int32_t v = list[i].value;
            error = check_ctrl(d, c, &v, request == VIDIOC_S_EXT_CTRLS, list, (int)i);
        }
        if (error) {
            cs->error_idx = i;
            if (request == VIDIOC_S_EXT_CTRLS)
                for (uint32_t j = 0; j < cs->count; j++) {
                    struct ctrl *x = find_ctrl(d, list[j].id);
                    log_set("S_EXT_CTRLS", list[j].id, x, list[j].value,
                            j == i ? error : -1);
                }
            return error;
        }
    }
    for (uint32_t i = 0; i < cs->count; i++) {
        struct ctrl *c = find_ctrl(d, list[i].id);
        if (request == VIDIOC_G_EXT_CTRLS) {
            list[i].value = which == V4L2_CTRL_WHICH_DEF_VAL ? (int32_t)c->def : c->value;
            continue;
        }
        int32_t asked = list[i].value, v = asked;
        check_ctrl(d, c, &v, request == VIDIOC_S_EXT_CTRLS, list, (int)i);
        list[i].value = v;
        if (request == VIDIOC_S_EXT_CTRLS) {
            c->value = v;
            log_set("S_EXT_CTRLS", c->id, c, asked, 0);
        }
    }
    return 0;
}

static int get_set_ctrl(struct device *d, unsigned long request, struct v4l2_control *x) {
    struct ctrl *c = find_ctrl(d, x->id);
    if (!c) return EINVAL;
    if (request == VIDIOC_G_CTRL) {
        uint32_t flags = flags_of(d, c);
        if (c->type == V4L2_CTRL_TYPE_CTRL_CLASS || (flags & V4L2_CTRL_FLAG_DISABLED)) return EINVAL;
        if (flags & V4L2_CTRL_FLAG_WRITE_ONLY) return EACCES;
        x->value = c->value;
        return 0;
    }
    int32_t asked = x->value, v = asked;
    int error = check_ctrl(d, c, &v, 1, NULL, 0);
    if (!error) {
        c->value = v;
        x->value = v;
    }
    log_set("S_CTRL", x->id, c, asked, error);
    return error;
}

/* A control knob (see the header); 0, or -1 for an action that is not one. */
static int control_knob(struct device *d, const char *action) {
    if (!strcmp(action, "extend")) {
        d->extended = 1;
        return 0;
    }
    if (!strcmp(action, "legacy")) {
        d->legacy = 1;
        return 0;
    }
    if (!strcmp(action, "controls-ok")) {
        for (int i = 0; i < d->nctrls; i++) {
            d->ctrls[i].extra = 0;
            d->ctrls[i].refuse = d->ctrls[i].limited = 0;
        }
        return 0;
    }
    const char *colon = strchr(action, ':'), *eq = colon ? strchr(colon, '=') : NULL;
    if (!colon || !eq) return -1;
    struct ctrl *c = ctrl_by_key(d, colon + 1, (size_t)(eq - colon - 1));
    if (!c) return -1;
    long n = strtol(eq + 1, NULL, 0);
    size_t kind = (size_t)(colon - action);
    if (kind == 6 && !strncmp(action, "refuse", 6))
        c->refuse = (int)n;
    else if (kind == 5 && !strncmp(action, "limit", 5)) {
        c->limited = 1;
        c->limit = (int32_t)n;
    } else if (kind == 4 && !strncmp(action, "flag", 4))
        c->extra = (uint32_t)n;
    else
        return -1;
    return 0;
}

static int v4l2_call(int fd, struct device *d, unsigned long request, void *arg) {
    if (!d->present) return ENODEV;
    struct mode *m = current(d);
    switch (request) {
    case VIDIOC_QUERYCAP: {
        struct v4l2_capability *c = arg;
        memset(c, 0, sizeof *c);
        snprintf((char *)c->driver, sizeof c->driver, "lms-standin");
        snprintf((char *)c->card, sizeof c->card, "%s", d->label);
        snprintf((char *)c->bus_info, sizeof c->bus_info, "%s", d->bus);
        c->version = (6 << 16) | (1 << 8);
        c->device_caps = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING;
        c->capabilities = c->device_caps | V4L2_CAP_DEVICE_CAPS;
        return 0;
    }
    case VIDIOC_ENUM_FMT: {
        struct v4l2_fmtdesc *f = arg;
        if (f->type != V4L2_BUF_TYPE_VIDEO_CAPTURE) return EINVAL;
        uint32_t seen[MAX_MODES];
        int n = 0;
        for (int i = 0; i < d->nmodes; i++) {
            int dup = 0;
            for (int j = 0; j < n; j++) dup |= seen[j] == d->modes[i].fourcc;
            if (dup) continue;
            if ((uint32_t)n == f->index) {
                uint32_t index = f->index, type = f->type;
                memset(f, 0, sizeof *f);
                f->index = index;
                f->type = type;
                f->pixelformat = d->modes[i].fourcc;
                int jpeg = f->pixelformat == V4L2_PIX_FMT_MJPEG;
                f->flags = jpeg ? V4L2_FMT_FLAG_COMPRESSED : 0;
                snprintf((char *)f->description, sizeof f->description, "%s",
                         jpeg ? "Motion-JPEG" : "YUYV 4:2:2");
                return 0;
            }
            seen[n++] = d->modes[i].fourcc;
        }
        return EINVAL;
    }
    case VIDIOC_ENUM_FRAMESIZES: {
        struct v4l2_frmsizeenum *s = arg;
        uint32_t n = 0;
        for (int i = 0; i < d->nmodes; i++) {
            if (d->modes[i].fourcc != s->pixel_format) continue;
            if (n++ == s->index) {
                s->type = V4L2_FRMSIZE_TYPE_DISCRETE;
                s->discrete.width = d->modes[i].width;
                s->discrete.height = d->modes[i].height;
                return 0;
            }
        }
        return EINVAL;
    }
    case VIDIOC_ENUM_FRAMEINTERVALS: {
        struct v4l2_frmivalenum *v = arg;
        for (int i = 0; i < d->nmodes; i++) {
            struct mode *x = &d->modes[i];
            if (x->fourcc != v->pixel_format || x->width != v->width || x->height != v->height)
                continue;
            if (v->index >= (uint32_t)x->nrates) return EINVAL;
            v->type = V4L2_FRMIVAL_TYPE_DISCRETE;
            v->discrete.numerator = 1;
            v->discrete.denominator = x->rates[v->index];
            return 0;
        }
        return EINVAL;
    }
    case VIDIOC_G_FMT:
    case VIDIOC_S_FMT:
    case VIDIOC_TRY_FMT: {
        struct v4l2_format *f = arg;
        if (f->type != V4L2_BUF_TYPE_VIDEO_CAPTURE) return EINVAL;
        if (request == VIDIOC_G_FMT) {
            describe(d, m, &f->fmt.pix);
            return 0;
        }
        int i = find_mode(d, f->fmt.pix.pixelformat, f->fmt.pix.width, f->fmt.pix.height);
        if (request == VIDIOC_S_FMT) {
            if (d->busy || d->nbufs) return EBUSY;
            if (i != d->mode) d->rate = 0;
            d->mode = i;
        }
        describe(d, &d->modes[i], &f->fmt.pix);
        return 0;
    }
    case VIDIOC_G_PARM:
    case VIDIOC_S_PARM: {
        struct v4l2_streamparm *p = arg;
        if (p->type != V4L2_BUF_TYPE_VIDEO_CAPTURE) return EINVAL;
        if (request == VIDIOC_S_PARM) {
            if (d->busy || d->streaming) return EBUSY;
            struct v4l2_fract t = p->parm.capture.timeperframe;
            if (t.numerator && t.denominator)
                d->rate = nearest_rate(m, (double)t.denominator / t.numerator);
        }
        memset(&p->parm, 0, sizeof p->parm);
        p->parm.capture.capability = V4L2_CAP_TIMEPERFRAME;
        p->parm.capture.timeperframe.numerator = 1;
        p->parm.capture.timeperframe.denominator = m->rates[d->rate];
        p->parm.capture.readbuffers = 0;
        return 0;
    }
    case VIDIOC_G_CTRL: {
        struct v4l2_control *c = arg;
        if (c->id != V4L2_CID_CAMERA_ORIENTATION) return get_set_ctrl(d, request, c);
        if (d->facing < 0) return EINVAL;
        c->value = d->facing;
        return 0;
    }
    case VIDIOC_S_CTRL:
        return get_set_ctrl(d, request, arg);
    case VIDIOC_QUERYCTRL:
        return query_ctrl(d, request, arg);
    case VIDIOC_QUERY_EXT_CTRL:
        return d->legacy ? ENOTTY : query_ctrl(d, request, arg);
    case VIDIOC_QUERYMENU:
        return query_menu(d, arg);
    case VIDIOC_G_EXT_CTRLS:
    case VIDIOC_S_EXT_CTRLS:
    case VIDIOC_TRY_EXT_CTRLS:
        return d->legacy ? ENOTTY : ext_ctrls(d, request, arg);
    case VIDIOC_REQBUFS: {
        struct v4l2_requestbuffers *r = arg;
        if (r->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || r->memory != V4L2_MEMORY_MMAP)
            return EINVAL;
        if (d->owner >= 0 && d->owner != fd) return EBUSY;
        if (r->count == 0) {
            if (d->wedged) return EIO;
            if (d->streaming) d->streamoffs++;
            free_buffers(d);
            return 0;
        }
        if (d->busy || d->streaming) return EBUSY;
        free_buffers(d);
        struct v4l2_pix_format pix;
        describe(d, m, &pix);
        d->buf_size = ((size_t)pix.sizeimage + 4095) & ~(size_t)4095;
        d->nbufs = r->count < MAX_BUFFERS ? (int)r->count : MAX_BUFFERS;
        d->memfd = memfd_create("lms-standin-buffers", MFD_CLOEXEC);
        if (d->memfd < 0 || ftruncate(d->memfd, (off_t)(d->buf_size * (size_t)d->nbufs)))
            return ENOMEM;
        d->map = real_mmap(NULL, d->buf_size * (size_t)d->nbufs, PROT_READ | PROT_WRITE,
                           MAP_SHARED, d->memfd, 0);
        if (d->map == MAP_FAILED) {
            d->map = NULL;
            free_buffers(d);
            return ENOMEM;
        }
        d->owner = fd;
        r->count = (uint32_t)d->nbufs;
        r->capabilities = V4L2_BUF_CAP_SUPPORTS_MMAP;
        return 0;
    }
    case VIDIOC_QUERYBUF:
    case VIDIOC_QBUF: {
        struct v4l2_buffer *b = arg;
        if (fd != d->owner) return EBUSY;
        if (b->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || b->index >= (uint32_t)d->nbufs)
            return EINVAL;
        int index = (int)b->index;
        if (request == VIDIOC_QBUF) {
            for (int i = 0; i < d->nqueued; i++)
                if (d->queue[i] == index) return EINVAL;
            d->queue[d->nqueued++] = index;
        }
        fill_buffer(d, index, b);
        return 0;
    }
    case VIDIOC_DQBUF: {
        struct v4l2_buffer *b = arg;
        if (d->error || d->wedged) return EIO;
        if (fd != d->owner || !d->streaming) return EINVAL;
        uint64_t ticks = 0;
        if (read(fd, &ticks, sizeof ticks) != sizeof ticks || !d->nqueued) return EAGAIN;
        int index = d->queue[0];
        memmove(d->queue, d->queue + 1, sizeof(int) * (size_t)--d->nqueued);
        size_t used = paint(d, index);
        fill_buffer(d, index, b);
        b->bytesused = (uint32_t)used;
        b->flags |= V4L2_BUF_FLAG_DONE | V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC;
        b->field = V4L2_FIELD_NONE;
        b->sequence = (uint32_t)d->counter;
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        b->timestamp.tv_sec = now.tv_sec;
        b->timestamp.tv_usec = now.tv_nsec / 1000;
        d->counter += ticks;
        d->frames++;
        return 0;
    }
    case VIDIOC_STREAMON: {
        if (d->busy) return EBUSY;
        if (d->broken) return EIO;
        if (fd != d->owner) return EBUSY;
        if (!d->nbufs) return EINVAL;
        if (d->streaming) return 0;
        d->streaming = 1;
        d->counter = 0;
        d->streamons++;
        long period = 1000000000L / (long)m->rates[d->rate];
        if (!d->stalled) set_timer(fd, period, period);
        return 0;
    }
    case VIDIOC_STREAMOFF: {
        if (d->wedged) return EIO;
        if (fd != d->owner) return d->owner < 0 ? 0 : EBUSY;
        if (d->streaming) d->streamoffs++;
        d->streaming = 0;
        d->nqueued = 0;
        wake(d);
        return 0;
    }
    default:
        return ENOTTY;
    }
}

static long fake_ioctl(int fd, unsigned long request, void *arg) {
    pthread_mutex_lock(&lock);
    struct device *d = device_of(fd);
    int error = d ? v4l2_call(fd, d, request, arg) : EBADF;
    pthread_mutex_unlock(&lock);
    if (error) {
        errno = error;
        return -1;
    }
    return 0;
}

static int is_ours(int fd) {
    pthread_mutex_lock(&lock);
    int ours = device_of(fd) != NULL;
    pthread_mutex_unlock(&lock);
    return ours;
}

long syscall(long number, ...) {
    va_list ap;
    va_start(ap, number);
    long a[6];
    for (int i = 0; i < 6; i++) a[i] = va_arg(ap, long);
    va_end(ap);
    if (number == SYS_ioctl && is_ours((int)a[0]))
        return fake_ioctl((int)a[0], (unsigned long)a[1], (void *)a[2]);
    return real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

int ioctl(int fd, unsigned long request, ...) {
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    if (is_ours(fd)) return (int)fake_ioctl(fd, request, arg);
    return real_ioctl(fd, request, arg);
}

static void *map_ours(void *addr, size_t len, int prot, int flags, int fd, off_t offset,
                      int *ours) {
    pthread_mutex_lock(&lock);
    struct device *d = device_of(fd);
    *ours = d != NULL;
    void *out = MAP_FAILED;
    if (!d) {
    } else if (!d->present) {
        errno = ENODEV;
    } else if (fd != d->owner || d->memfd < 0 ||
               (size_t)offset + len > d->buf_size * (size_t)d->nbufs) {
        errno = EINVAL;
    } else {
        out = real_mmap(addr, len, prot, flags, d->memfd, offset);
    }
    pthread_mutex_unlock(&lock);
    return out;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t offset) {
    int ours;
    void *p = map_ours(addr, len, prot, flags, fd, offset, &ours);
    return ours ? p : real_mmap(addr, len, prot, flags, fd, offset);
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t offset) {
    int ours;
    void *p = map_ours(addr, len, prot, flags, fd, (off_t)offset, &ours);
    return ours ? p : real_mmap64(addr, len, prot, flags, fd, offset);
}

/* What poll must report for one of our descriptors without waiting, or 0 to wait on its timer. */
static short at_once(int fd) {
    pthread_mutex_lock(&lock);
    struct device *d = device_of(fd);
    short events = 0;
    if (d && !d->present)
        events = POLLERR | POLLHUP;
    else if (d && (fd != d->owner || !d->streaming || d->error || d->wedged))
        events = POLLERR;
    pthread_mutex_unlock(&lock);
    return events;
}

int poll(struct pollfd *fds, nfds_t n, int timeout) {
    int any = 0, ready = 0;
    for (nfds_t i = 0; i < n; i++) {
        if (!is_ours(fds[i].fd)) continue;
        any = 1;
        fds[i].revents = at_once(fds[i].fd);
        ready += fds[i].revents != 0;
    }
    if (!any) return real_poll(fds, n, timeout);
    if (ready) {
        for (nfds_t i = 0; i < n; i++)
            if (!is_ours(fds[i].fd)) fds[i].revents = 0;
        return ready;
    }
    int result = real_poll(fds, n, timeout);
    if (result <= 0) return result;
    ready = 0;
    for (nfds_t i = 0; i < n; i++) {
        if (is_ours(fds[i].fd) && fds[i].revents) {
            short now = at_once(fds[i].fd);
            if (now) fds[i].revents = now;
        }
        ready += fds[i].revents != 0;
    }
    return ready;
}

/* ---- test controls ---- */

int lms_standin_control(int number, const char *action) {
    pthread_mutex_lock(&lock);
    struct device *d = by_number(number);
    int result = 0;
    if (!d) {
        result = -1;
    } else if (!strcmp(action, "vanish")) {
        d->present = 0;
        wake(d);
    } else if (!strcmp(action, "return")) {
        d->present = 1;
    } else if (!strcmp(action, "busy")) {
        d->busy = 1;
    } else if (!strcmp(action, "broken")) {
        d->broken = 1;
    } else if (!strcmp(action, "error")) {
        d->error = 1;
        wake(d);
    } else if (!strcmp(action, "wedged")) {
        d->wedged = 1;
        wake(d);
    } else if (!strcmp(action, "stall")) {
        d->stalled = 1;
        if (d->owner >= 0) set_timer(d->owner, 0, 0);
    } else if (!strcmp(action, "ok")) {
        d->busy = d->broken = d->error = d->wedged = d->stalled = 0;
    } else {
        result = control_knob(d, action);
    }
    pthread_mutex_unlock(&lock);
    return result;
}

int lms_standin_usage(int number, long out[7]) {
    pthread_mutex_lock(&lock);
    struct device *d = by_number(number);
    if (d) {
        out[0] = d->opens;
        out[1] = d->closes;
        out[2] = d->open_fds;
        out[3] = d->streamons;
        out[4] = d->streamoffs;
        out[5] = d->frames;
        out[6] = (long)d->modes[d->mode].rates[d->rate];
    }
    pthread_mutex_unlock(&lock);
    return d ? 0 : -1;
}
