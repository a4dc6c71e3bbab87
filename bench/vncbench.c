// SPDX-License-Identifier: GPL-2.0
/*
 * vncbench: what make bench measures of a VNC server from the host, as a
 * client (LibVNCClient) would see it. The guest runs uvbench-x (an X
 * client that repaints its whole window in another colour on each key,
 * or as fast as it can). Figures go to stdout as "bench KEY VALUE"
 * lines; errors to stderr. Exit status 0, or 1.
 *
 *   vncbench HOST PORT PASSWORD latency N
 *	N times: a key sent, then the ms until an update shows the window's
 *	new colour (median, 90th percentile, longest)
 *   vncbench HOST PORT PASSWORD rate SECONDS
 *	updates per second that changed both the top left and the bottom
 *	right pixel (whole-screen pictures delivered), while uvbench-x
 *	repaints as fast as it can
 *   vncbench HOST PORT PASSWORD bytes SECONDS
 *	bytes the server sent in SECONDS after the first picture (TCP_INFO),
 *	on a screen that is still or nearly (a cursor blinking)
 *
 * PASSWORD "-" is none. The client takes the server's updates in its own
 * pixel format, XRGB8888, with the encodings it likes best (Tight without
 * JPEG, zlib, raw): the server encodes what a real viewer asks for.
 */
#include <netinet/in.h>
#include <linux/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <rfb/keysym.h>
#include <rfb/rfbclient.h>

static const char *password;
static long updates;	/* FramebufferUpdates the client has taken in */

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static char *get_password(rfbClient *cl)
{
	(void)cl;
	return strdup(password);
}

static void finished(rfbClient *cl)
{
	(void)cl;
	updates++;
}

static void quiet(const char *fmt, ...)
{
	(void)fmt;
}

static uint32_t pixel(rfbClient *cl, int x, int y)
{
	return ((uint32_t *)cl->frameBuffer)[y * cl->width + x] & 0xffffff;
}

/* Handles what the server sent within @ms; -1 when it went away. */
static int pump(rfbClient *cl, int ms)
{
	int n = WaitForMessage(cl, ms * 1000);

	if (n < 0)
		return -1;
	if (n > 0 && !HandleRFBServerMessage(cl))
		return -1;
	return 0;
}

/*
 * Until the picture's two corners have one colour, not @old, within @ms:
 * the whole window repainted.
 */
static int wait_picture(rfbClient *cl, uint32_t old, int ms)
{
	double end = now_ms() + ms;

	while (now_ms() < end) {
		uint32_t a = pixel(cl, 0, 0);
		uint32_t b = pixel(cl, cl->width - 1, cl->height - 1);

		if (a == b && a != old)
			return 0;
		if (pump(cl, 50))
			return -1;
	}
	return -1;
}

/*
 * The first picture, then until no update came for @quiet_ms and the two
 * corners have one colour (a server that polls sends a change in parts),
 * within 10 s.
 */
static int settle(rfbClient *cl, int quiet_ms)
{
	double end = now_ms() + 10000, last = now_ms();
	long seen = updates;

	while (now_ms() < end) {
		if (pump(cl, 20))
			return -1;
		if (updates != seen) {
			seen = updates;
			last = now_ms();
		} else if (updates && now_ms() - last >= quiet_ms &&
			   pixel(cl, 0, 0) ==
			   pixel(cl, cl->width - 1, cl->height - 1)) {
			return 0;
		}
	}
	return -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int latency(rfbClient *cl, int n)
{
	double *t = calloc(n, sizeof(*t));
	uint32_t before;
	int i;

	if (!t || settle(cl, 500)) {
		fprintf(stderr, "vncbench: no picture of one colour in 10 s\n");
		return 1;
	}
	for (i = 0; i < n; i++) {
		double t0;

		before = pixel(cl, 0, 0);
		t0 = now_ms();
		SendKeyEvent(cl, XK_space, TRUE);
		SendKeyEvent(cl, XK_space, FALSE);
		if (wait_picture(cl, before, 10000)) {
			fprintf(stderr, "vncbench: key %d: no new picture in 10 s\n",
				i + 1);
			return 1;
		}
		t[i] = now_ms() - t0;
		/* The whole picture and the server idle before the next key. */
		if (settle(cl, 200)) {
			fprintf(stderr, "vncbench: key %d: the picture did not settle\n",
				i + 1);
			return 1;
		}
	}
	qsort(t, n, sizeof(*t), cmp_double);
	printf("bench latency_ms %.1f\n", t[n / 2]);
	printf("bench latency_p90_ms %.1f\n", t[n * 9 / 10]);
	printf("bench latency_max_ms %.1f\n", t[n - 1]);
	free(t);
	return 0;
}

static int rate(rfbClient *cl, int seconds)
{
	double end, start;
	long pictures = 0;
	uint32_t last;

	if (settle(cl, 0)) {
		fprintf(stderr, "vncbench: no picture of one colour in 10 s\n");
		return 1;
	}
	last = pixel(cl, 0, 0);
	start = now_ms();
	end = start + seconds * 1e3;
	while (now_ms() < end) {
		uint32_t a, b;

		if (pump(cl, 100)) {
			fprintf(stderr, "vncbench: the server went away\n");
			return 1;
		}
		a = pixel(cl, 0, 0);
		b = pixel(cl, cl->width - 1, cl->height - 1);
		if (a == b && a != last) {
			pictures++;
			last = a;
		}
	}
	printf("bench pictures_per_s %.1f\n",
	       pictures * 1e3 / (now_ms() - start));
	return 0;
}

static long long received(rfbClient *cl)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(cl->sock, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return -1;
	return (long long)ti.tcpi_bytes_received;
}

/* The first picture, within 10 s. */
static int first_picture(rfbClient *cl)
{
	double end = now_ms() + 10000;

	while (!updates && now_ms() < end)
		if (pump(cl, 100))
			return -1;
	return updates ? 0 : -1;
}

/*
 * A still screen may still change (fbcon's cursor blinks): counted from
 * the first picture on.
 */
static int bytes(rfbClient *cl, int seconds)
{
	double end;
	long long b0;

	if (first_picture(cl)) {
		fprintf(stderr, "vncbench: no picture in 10 s\n");
		return 1;
	}
	/* The rest of the first picture, if it came in parts. */
	end = now_ms() + 1000;
	while (now_ms() < end)
		if (pump(cl, 100))
			break;
	b0 = received(cl);
	end = now_ms() + seconds * 1e3;
	while (now_ms() < end) {
		if (pump(cl, 100)) {
			fprintf(stderr, "vncbench: the server went away\n");
			return 1;
		}
	}
	printf("bench bytes %lld\n", received(cl) - b0);
	return 0;
}

int main(int argc, char **argv)
{
	rfbClient *cl;
	int n, ret;

	if (argc != 6 || (n = atoi(argv[5])) <= 0) {
		fprintf(stderr, "usage: vncbench HOST PORT PASSWORD latency N | rate SECONDS | bytes SECONDS\n");
		return 2;
	}
	password = strcmp(argv[3], "-") ? argv[3] : "";
	rfbClientLog = quiet;
	cl = rfbGetClient(8, 3, 4);
	cl->format.redShift = 16;
	cl->format.greenShift = 8;
	cl->format.blueShift = 0;
	cl->serverHost = strdup(argv[1]);
	cl->serverPort = atoi(argv[2]);
	cl->appData.encodingsString = "tight zlib raw";
	cl->appData.enableJPEG = FALSE;
	cl->GetPassword = get_password;
	cl->FinishedFrameBufferUpdate = finished;
	if (!rfbInitClient(cl, NULL, NULL)) {
		fprintf(stderr, "vncbench: cannot connect to %s port %s, or log in\n",
			argv[1], argv[2]);
		return 1;
	}
	if (!strcmp(argv[4], "latency"))
		ret = latency(cl, n);
	else if (!strcmp(argv[4], "rate"))
		ret = rate(cl, n);
	else if (!strcmp(argv[4], "bytes"))
		ret = bytes(cl, n);
	else
		ret = 2;
	rfbClientCleanup(cl);
	return ret;
}
