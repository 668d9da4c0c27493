// SPDX-License-Identifier: GPL-2.0-or-later
/* Closing descriptors in the background; see closer.h. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <unistd.h>

#include "closer.h"

/* Queued descriptors at most: bounds the descriptors held open. */
#define QUEUE 256
/* Threads are woken for this many, not for each: a wake-up costs more
 * than a close that need not wait */
#define BATCH 32
#define MAX_THREADS 8

static struct {
	pthread_mutex_t lock;
	pthread_cond_t work;	/* a descriptor was queued, or stop */
	pthread_cond_t room;	/* a slot came free */
	int fds[QUEUE];
	unsigned int head, count;
	bool stopping;
	unsigned int threads;
	pthread_t tid[MAX_THREADS];
} q = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.work = PTHREAD_COND_INITIALIZER,
	.room = PTHREAD_COND_INITIALIZER,
};

static void *closing(void *unused)
{
	int fd;

	(void)unused;
	pthread_mutex_lock(&q.lock);
	for (;;) {
		while (!q.count && !q.stopping)
			pthread_cond_wait(&q.work, &q.lock);
		if (!q.count)
			break;		/* stopping, and nothing left */
		fd = q.fds[q.head];
		q.head = (q.head + 1) % QUEUE;
		/* producers wait for room only when the queue is full;
		 * wake them all, or one could sleep on with room left */
		if (q.count-- == QUEUE)
			pthread_cond_broadcast(&q.room);
		pthread_mutex_unlock(&q.lock);
		close(fd);
		pthread_mutex_lock(&q.lock);
	}
	pthread_mutex_unlock(&q.lock);
	return NULL;
}

int closer_start(unsigned int threads)
{
	int ret;

	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	q.stopping = false;
	for (q.threads = 0; q.threads < threads; q.threads++) {
		ret = pthread_create(&q.tid[q.threads], NULL, closing, NULL);
		if (ret) {
			closer_stop();
			return -ret;
		}
	}
	return 0;
}

void closer_close(int fd)
{
	if (!q.threads) {
		close(fd);
		return;
	}
	pthread_mutex_lock(&q.lock);
	while (q.count == QUEUE)
		pthread_cond_wait(&q.room, &q.lock);
	q.fds[(q.head + q.count) % QUEUE] = fd;
	q.count++;
	if (q.count % BATCH == 0)
		pthread_cond_broadcast(&q.work);
	pthread_mutex_unlock(&q.lock);
}

void closer_stop(void)
{
	unsigned int i;

	pthread_mutex_lock(&q.lock);
	q.stopping = true;
	pthread_cond_broadcast(&q.work);
	pthread_mutex_unlock(&q.lock);
	for (i = 0; i < q.threads; i++)
		pthread_join(q.tid[i], NULL);
	q.threads = 0;
}
