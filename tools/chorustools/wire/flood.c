/* Sends one datagram template to one UDP address as fast as it can (or at a set rate), for a
 * bounded time, then prints what it sent. Built and run by tools/bench/hostile.py's `flood` and
 * the chaos harness's `flood` fault (chorustools/wire/spoof.py compiles it); Python's
 * one-syscall-per-datagram sendto() tops out far below what a hostile host can send.
 *
 *   flood DST_IP DST_PORT SECONDS RATE TEMPLATE VARY_OFFSET [SRC_IP SRC_PORT]
 *
 * RATE is datagrams per second, 0 for as fast as possible. When VARY_OFFSET >= 0 a 64-bit
 * counter is written at that offset of every datagram, so no two are alike (a receiver cannot
 * drop repeats by content). With SRC_IP and SRC_PORT the datagrams are built with IP_HDRINCL
 * on a raw socket and carry that (spoofed) source address; root only.
 * Output, one line: `sent PACKETS seconds SECONDS errors ERRORS`.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MAX_PAYLOAD 1500

static double seconds_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 7 && argc != 9) {
        fprintf(stderr, "usage: %s DST_IP DST_PORT SECONDS RATE TEMPLATE VARY_OFFSET [SRC_IP SRC_PORT]\n", argv[0]);
        return 2;
    }
    struct sockaddr_in destination = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
    if (inet_pton(AF_INET, argv[1], &destination.sin_addr) != 1) { fprintf(stderr, "bad DST_IP\n"); return 2; }
    double duration = atof(argv[3]), rate = atof(argv[4]);
    long vary = atol(argv[6]);
    int spoof = argc == 9;

    unsigned char payload[MAX_PAYLOAD];
    FILE *template = fopen(argv[5], "rb");
    if (!template) { perror("template"); return 2; }
    size_t payload_size = fread(payload, 1, sizeof payload, template);
    fclose(template);
    if (payload_size == 0 || (vary >= 0 && (size_t)vary + 8 > payload_size)) { fprintf(stderr, "bad template\n"); return 2; }

    /* With spoofing, every datagram is an IPv4 header, a UDP header and the payload. */
    size_t prefix = spoof ? sizeof(struct iphdr) + sizeof(struct udphdr) : 0;
    size_t size = prefix + payload_size;
    int fd = spoof ? socket(AF_INET, SOCK_RAW, IPPROTO_RAW) : socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) { perror("socket"); return 2; }
    int buffer = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);

    static unsigned char packets[BATCH][sizeof(struct iphdr) + sizeof(struct udphdr) + MAX_PAYLOAD];
    struct mmsghdr messages[BATCH];
    struct iovec vectors[BATCH];
    memset(messages, 0, sizeof messages);
    for (int i = 0; i < BATCH; i++) {
        unsigned char *packet = packets[i];
        if (spoof) {
            struct iphdr *ip = (struct iphdr *)packet;
            struct udphdr *udp = (struct udphdr *)(packet + sizeof *ip);
            ip->version = 4; ip->ihl = 5; ip->ttl = 64; ip->protocol = IPPROTO_UDP;
            ip->tot_len = htons((uint16_t)size); /* the kernel fills id and checksum */
            inet_pton(AF_INET, argv[7], &ip->saddr);
            ip->daddr = destination.sin_addr.s_addr;
            udp->source = htons((uint16_t)atoi(argv[8]));
            udp->dest = destination.sin_port;
            udp->len = htons((uint16_t)(sizeof *udp + payload_size));
            udp->check = 0; /* optional over IPv4 */
        }
        memcpy(packet + prefix, payload, payload_size);
        vectors[i].iov_base = packet;
        vectors[i].iov_len = size;
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
        messages[i].msg_hdr.msg_name = &destination;
        messages[i].msg_hdr.msg_namelen = sizeof destination;
    }

    uint64_t sent = 0, errors = 0, counter = 0;
    double started = seconds_now(), elapsed = 0;
    while ((elapsed = seconds_now() - started) < duration) {
        if (rate > 0 && (double)sent > rate * elapsed) {
            usleep(200);
            continue;
        }
        if (vary >= 0) {
            for (int i = 0; i < BATCH; i++, counter++) memcpy(packets[i] + prefix + vary, &counter, 8);
        }
        int done = sendmmsg(fd, messages, BATCH, 0);
        if (done < 0) {
            errors++; /* ENOBUFS, EPERM: the queue is full or a rule refused; keep going */
            continue;
        }
        sent += (uint64_t)done;
    }
    printf("sent %llu seconds %.3f errors %llu\n", (unsigned long long)sent, seconds_now() - started,
           (unsigned long long)errors);
    return 0;
}
