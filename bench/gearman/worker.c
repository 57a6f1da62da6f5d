/*
 * The worker for gearmand in bench/gearman.sh: SLOTS threads, each with its own libgearman worker
 * connection (gearman has no slots: one connection runs one job at a time), echoing function "echo".
 *
 *   worker HOST PORT SLOTS
 */
#include <libgearman/gearman.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *host;
static in_port_t port;

static void *echo(gearman_job_st *job, void *context, size_t *result_size, gearman_return_t *ret) {
  (void)context;
  size_t size = gearman_job_workload_size(job);
  void *result = malloc(size); /* libgearman frees it after sending */
  memcpy(result, gearman_job_workload(job), size);
  *result_size = size;
  *ret = GEARMAN_SUCCESS;
  return result;
}

static void *slot(void *unused) {
  (void)unused;
  gearman_worker_st worker;
  if (gearman_worker_create(&worker) == NULL
      || gearman_worker_add_server(&worker, host, port) != GEARMAN_SUCCESS
      || gearman_worker_add_function(&worker, "echo", 0, echo, NULL) != GEARMAN_SUCCESS) {
    fprintf(stderr, "worker: %s\n", gearman_worker_error(&worker));
    exit(1);
  }
  for (;;) {
    gearman_return_t rc = gearman_worker_work(&worker);
    if (rc != GEARMAN_SUCCESS) {
      fprintf(stderr, "worker: %s\n", gearman_worker_error(&worker));
      exit(1);
    }
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 4 || atoi(argv[3]) < 1) {
    fprintf(stderr, "usage: worker HOST PORT SLOTS\n");
    return 2;
  }
  host = argv[1];
  port = (in_port_t)atoi(argv[2]);
  int slots = atoi(argv[3]);
  pthread_t thread;
  for (int i = 1; i < slots; i++) {
    if (pthread_create(&thread, NULL, slot, NULL) != 0) { perror("pthread_create"); return 1; }
  }
  slot(NULL);
  return 0;
}
