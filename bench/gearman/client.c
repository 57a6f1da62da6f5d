/*
 * The load for gearmand in bench/gearman.sh: echoes a 30-byte JSON payload through function "echo"
 * with libgearman's own client API, warms up, then measures for a fixed time and prints one JSON line
 * with the same figures as `proletariat bench --json` (works, seconds, worksPerSecond, latencyMicros).
 *
 *   client HOST PORT do    1   WARMUP_S DURATION_S   gearman_client_do in a loop (one in flight)
 *   client HOST PORT flight K  WARMUP_S DURATION_S   add_task + run_tasks; each completion adds the next task
 *   client HOST PORT batch  G  WARMUP_S DURATION_S   add_task x G + run_tasks, repeated
 *
 * Latency is per work, from its add to its completion; in batch mode each work's latency is its
 * batch's, as in `proletariat bench --group`. "bench: measuring" on stderr marks the measured interval.
 */
#include <libgearman/gearman.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char PAYLOAD[] = "{\"p\":\"xxxxxxxxxxxxxxxxxxxxxx\"}"; /* 30 bytes, as `proletariat bench` sends */
#define PAYLOAD_SIZE (sizeof PAYLOAD - 1)

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Latencies of the measured phase (NULL while warming up), one entry per work. */
static uint64_t *lat;
static size_t lat_len, lat_cap;

static void record(uint64_t ns, size_t count) {
  if (lat == NULL) return;
  if (lat_len + count > lat_cap) {
    lat_cap = (lat_len + count) * 2;
    lat = realloc(lat, lat_cap * sizeof *lat);
    if (lat == NULL) { perror("realloc"); exit(1); }
  }
  while (count-- > 0) lat[lat_len++] = ns;
}

static void die(gearman_client_st *client, const char *what) {
  fprintf(stderr, "client: %s: %s\n", what, gearman_client_error(client));
  exit(1);
}

static gearman_client_st client;
static uint64_t stop_at;
static uint64_t done;

/* One in flight: the blocking call. */
static void run_do(void) {
  while (now_ns() < stop_at) {
    size_t size;
    gearman_return_t rc;
    uint64_t start = now_ns();
    void *result = gearman_client_do(&client, "echo", NULL, PAYLOAD, PAYLOAD_SIZE, &size, &rc);
    if (rc != GEARMAN_SUCCESS || size != PAYLOAD_SIZE) die(&client, "gearman_client_do");
    record(now_ns() - start, 1);
    free(result);
    done++;
  }
}

/* K in flight: each slot's start time is its tasks' context; a completion records and re-adds. */
static uint64_t *slot_start;

static void add(uint64_t *slot) {
  gearman_return_t rc;
  *slot = now_ns();
  if (gearman_client_add_task(&client, NULL, slot, "echo", NULL, PAYLOAD, PAYLOAD_SIZE, &rc) == NULL || rc != GEARMAN_SUCCESS)
    die(&client, "gearman_client_add_task");
}

static gearman_return_t completed(gearman_task_st *task) {
  uint64_t *slot = gearman_task_context(task);
  if (gearman_task_data_size(task) != PAYLOAD_SIZE) {
    fprintf(stderr, "client: wrong echo of %zu bytes\n", gearman_task_data_size(task));
    exit(1);
  }
  record(now_ns() - *slot, 1);
  done++;
  if (now_ns() < stop_at) add(slot);
  return GEARMAN_SUCCESS;
}

static void run_flight(int k) {
  for (int i = 0; i < k; i++) add(&slot_start[i]);
  if (gearman_client_run_tasks(&client) != GEARMAN_SUCCESS) die(&client, "gearman_client_run_tasks");
}

/* Batches of G: all added, then run until all are answered. */
static gearman_return_t counted(gearman_task_st *task) {
  if (gearman_task_data_size(task) != PAYLOAD_SIZE) {
    fprintf(stderr, "client: wrong echo of %zu bytes\n", gearman_task_data_size(task));
    exit(1);
  }
  done++;
  return GEARMAN_SUCCESS;
}

static void run_batch(int g) {
  while (now_ns() < stop_at) {
    uint64_t start = now_ns();
    for (int i = 0; i < g; i++) {
      gearman_return_t rc;
      if (gearman_client_add_task(&client, NULL, NULL, "echo", NULL, PAYLOAD, PAYLOAD_SIZE, &rc) == NULL || rc != GEARMAN_SUCCESS)
        die(&client, "gearman_client_add_task");
    }
    if (gearman_client_run_tasks(&client) != GEARMAN_SUCCESS) die(&client, "gearman_client_run_tasks");
    record(now_ns() - start, (size_t)g);
  }
}

static void phase(const char *mode, int n, double seconds) {
  stop_at = now_ns() + (uint64_t)(seconds * 1e9);
  if (strcmp(mode, "do") == 0) run_do();
  else if (strcmp(mode, "flight") == 0) run_flight(n);
  else run_batch(n);
}

static int by_value(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static double percentile_us(double p) {
  if (lat_len == 0) return 0;
  size_t i = (size_t)(p / 100.0 * (double)lat_len);
  if (i >= lat_len) i = lat_len - 1;
  return (double)lat[i] / 1000.0;
}

int main(int argc, char **argv) {
  if (argc != 7 || (strcmp(argv[3], "do") && strcmp(argv[3], "flight") && strcmp(argv[3], "batch")) || atoi(argv[4]) < 1) {
    fprintf(stderr, "usage: client HOST PORT do|flight|batch N WARMUP_S DURATION_S\n");
    return 2;
  }
  const char *mode = argv[3];
  int n = atoi(argv[4]);
  if (gearman_client_create(&client) == NULL) { fprintf(stderr, "client: out of memory\n"); return 1; }
  if (gearman_client_add_server(&client, argv[1], (in_port_t)atoi(argv[2])) != GEARMAN_SUCCESS) die(&client, "add_server");
  /* Completed tasks are freed by the library, so a long run does not keep them all. */
  gearman_client_add_options(&client, GEARMAN_CLIENT_FREE_TASKS);
  gearman_client_set_complete_fn(&client, strcmp(mode, "flight") == 0 ? completed : counted);
  slot_start = calloc((size_t)n, sizeof *slot_start);

  fprintf(stderr, "bench: warming up for %s s\n", argv[5]);
  phase(mode, n, atof(argv[5]));
  lat_cap = 1 << 20;
  lat = malloc(lat_cap * sizeof *lat);
  done = 0;
  fprintf(stderr, "bench: measuring for %s s\n", argv[6]);
  uint64_t start = now_ns();
  phase(mode, n, atof(argv[6]));
  double seconds = (double)(now_ns() - start) / 1e9;
  qsort(lat, lat_len, sizeof *lat, by_value);
  printf("{\"works\":%llu,\"seconds\":%.3f,\"worksPerSecond\":%.0f,\"latencyMicros\":{\"p50\":%.1f,\"p99\":%.1f,\"p999\":%.1f}}\n",
         (unsigned long long)done, seconds, (double)done / seconds, percentile_us(50), percentile_us(99), percentile_us(99.9));
  fflush(stdout);
  gearman_client_free(&client);
  return 0;
}
