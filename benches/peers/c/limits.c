/* L0, the physical limit: memcpy and memset of one 1920x1080 I420 frame
 * (3,110,400 bytes), hot (the same buffers again and again: they stay in the
 * L3 cache) and cold (a ring of buffers larger than the L3 cache, so every
 * frame comes from / goes to DRAM). Prints one JSON line; per case the median
 * of 5 batches, in frames/s and GB/s.
 * Usage: limits [COLD_MIB]  (default 512: the ring of sources, and as much of destinations) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FRAME (1920u * 1080u * 3u / 2u)
#define BATCHES 5

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static volatile unsigned char sink;

/* Seconds per frame: median over BATCHES batches of `reps` operations. */
static double run(int copy, unsigned char **src, unsigned char **dst, size_t ring, size_t reps) {
    double t[BATCHES];
    size_t k = 0;
    for (int b = 0; b < BATCHES; b++) {
        double t0 = now();
        for (size_t i = 0; i < reps; i++, k++) {
            unsigned char *d = dst[k % ring];
            if (copy)
                memcpy(d, src[k % ring], FRAME);
            else
                memset(d, (int)(k & 0xff), FRAME);
            sink = d[FRAME / 2];
        }
        t[b] = (now() - t0) / (double)reps;
    }
    qsort(t, BATCHES, sizeof t[0], cmp);
    return t[BATCHES / 2];
}

static unsigned char **buffers(size_t n) {
    unsigned char **v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        v[i] = aligned_alloc(64, (FRAME + 63) / 64 * 64);
        memset(v[i], (int)i, FRAME); /* fault every page in now */
    }
    return v;
}

int main(int argc, char **argv) {
    size_t cold_mib = argc > 1 ? (size_t)atol(argv[1]) : 512;
    size_t ring = cold_mib * 1024 * 1024 / FRAME;
    if (ring < 2) ring = 2;
    unsigned char **src = buffers(ring), **dst = buffers(ring);
    /* hot: one source, one destination (6.2 MB, inside the L3 cache) */
    double copy_hot = run(1, src, dst, 1, 400);
    double set_hot = run(0, src, dst, 1, 400);
    double copy_cold = run(1, src, dst, ring, ring);
    double set_cold = run(0, src, dst, ring, ring);
    printf("{\"frame_bytes\": %u, \"cold_ring_frames\": %zu, \"cold_ring_mib\": %zu, "
           "\"memcpy_hot_fps\": %.0f, \"memcpy_hot_gbs\": %.2f, \"memset_hot_fps\": %.0f, \"memset_hot_gbs\": %.2f, "
           "\"memcpy_cold_fps\": %.0f, \"memcpy_cold_gbs\": %.2f, \"memset_cold_fps\": %.0f, \"memset_cold_gbs\": %.2f, "
           "\"checksum\": %u}\n",
           FRAME, ring, ring * FRAME / (1024 * 1024),
           1 / copy_hot, FRAME / copy_hot / 1e9, 1 / set_hot, FRAME / set_hot / 1e9,
           1 / copy_cold, FRAME / copy_cold / 1e9, 1 / set_cold, FRAME / set_cold / 1e9, (unsigned)sink);
    return 0;
}
