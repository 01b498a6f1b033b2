/* What sealing costs per datagram in libsodium itself, beside what a signature check costs:
 * the primitives the agent calls (Sources/ChorusCrypto/SodiumGossipCipher.swift and the Ed25519
 * scheme), at the sizes of real sealed frames, timed in a tight loop in this thread's CPU time
 * (so time the scheduler gives to other processes on a shared machine is not counted).
 *
 *   gcc -O2 -o /tmp/sealcost tools/bench/sealcost.c -lsodium && /tmp/sealcost [SIZE...]
 *
 * SIZE is a sealed frame's size in bytes (default 128 256 512 1400); the signed datagram inside
 * is 52 bytes smaller, and the message an Ed25519 signature covers is 64 bytes smaller still.
 * Each figure is the median of 7 rounds of about 0.2 s each, in nanoseconds per call:
 *   seal      randombytes_buf (the 24-byte nonce) + crypto_aead_xchacha20poly1305_ietf_encrypt
 *   open      crypto_aead_xchacha20poly1305_ietf_decrypt of a valid frame
 *   bad tag   the same with one bit of the tag flipped: what a forged frame under the cluster's
 *             key id costs (Poly1305 over the ciphertext, then no decryption)
 *   verify    crypto_sign_verify_detached of a valid signature over the signed bytes
 * What the agent adds around these (Swift arrays, copies, the receive syscall) is not here:
 * tools/bench/hostile.py's flood measures that (victim CPU per refused datagram).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROUNDS 7
#define MAX_FRAME 65536
#define OVERHEAD 52 /* magic 4, key id 8, nonce 24, tag 16 */
#define HEADER 12

static double thread_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static unsigned char key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
static unsigned char header[HEADER] = "CHRE01234567";
static unsigned char plain[MAX_FRAME], frame[MAX_FRAME], forged[MAX_FRAME], opened[MAX_FRAME];
static unsigned char public_key[crypto_sign_PUBLICKEYBYTES], secret_key[crypto_sign_SECRETKEYBYTES];
static unsigned char signature[crypto_sign_BYTES];
static size_t inner; /* the signed datagram's size */
static volatile int sink;

static void seal_once(void) {
    unsigned char *nonce = frame + HEADER;
    unsigned long long length;
    randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    sink += crypto_aead_xchacha20poly1305_ietf_encrypt(frame + HEADER + 24, &length, plain, inner, header, HEADER,
                                                       NULL, nonce, key);
}

static void open_once(void) {
    unsigned long long length;
    sink += crypto_aead_xchacha20poly1305_ietf_decrypt(opened, &length, NULL, frame + HEADER + 24, inner + 16,
                                                       header, HEADER, frame + HEADER, key);
}

static void bad_tag_once(void) {
    unsigned long long length;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(opened, &length, NULL, forged + HEADER + 24, inner + 16,
                                                   header, HEADER, forged + HEADER, key) == 0) {
        fprintf(stderr, "a forged frame opened\n");
        exit(1);
    }
}

static void verify_once(void) {
    if (crypto_sign_verify_detached(signature, plain, inner - crypto_sign_BYTES, public_key) != 0) {
        fprintf(stderr, "a valid signature did not verify\n");
        exit(1);
    }
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median nanoseconds per call over ROUNDS rounds, each sized to take about 0.2 s. */
static double time_call(void (*call)(void)) {
    long calls = 16;
    for (;;) { /* calibrate */
        double started = thread_seconds();
        for (long i = 0; i < calls; i++) call();
        if (thread_seconds() - started > 0.05) break;
        calls *= 2;
    }
    calls *= 4;
    double per_call[ROUNDS];
    for (int round = 0; round < ROUNDS; round++) {
        double started = thread_seconds();
        for (long i = 0; i < calls; i++) call();
        per_call[round] = (thread_seconds() - started) / (double)calls * 1e9;
    }
    qsort(per_call, ROUNDS, sizeof per_call[0], compare);
    return per_call[ROUNDS / 2];
}

int main(int argc, char **argv) {
    if (sodium_init() < 0) { fprintf(stderr, "sodium_init failed\n"); return 1; }
    static const int defaults[] = {128, 256, 512, 1400};
    int count = argc > 1 ? argc - 1 : (int)(sizeof defaults / sizeof defaults[0]);
    crypto_aead_xchacha20poly1305_ietf_keygen(key);
    crypto_sign_keypair(public_key, secret_key);
    printf("libsodium %s; ns per call, median of %d rounds, this thread's CPU time\n\n", sodium_version_string(),
           ROUNDS);
    printf("| sealed frame bytes | signed datagram bytes | seal | open | bad tag | Ed25519 verify | verify / open |\n");
    printf("|--:|--:|--:|--:|--:|--:|--:|\n");
    for (int i = 0; i < count; i++) {
        int size = argc > 1 ? atoi(argv[i + 1]) : defaults[i];
        if (size < (int)(OVERHEAD + crypto_sign_BYTES + 1) || size > MAX_FRAME) {
            fprintf(stderr, "size %d out of range (%d..%d)\n", size, OVERHEAD + crypto_sign_BYTES + 1, MAX_FRAME);
            return 2;
        }
        inner = (size_t)size - OVERHEAD;
        randombytes_buf(plain, inner);
        crypto_sign_detached(signature, NULL, plain, inner - crypto_sign_BYTES, secret_key);
        seal_once();
        memcpy(forged, frame, (size_t)size);
        forged[size - 1] ^= 1; /* the last byte of the tag */
        double seal = time_call(seal_once), open = time_call(open_once), bad = time_call(bad_tag_once);
        double verify = time_call(verify_once);
        printf("| %d | %zu | %.0f | %.0f | %.0f | %.0f | %.0f× |\n", size, inner, seal, open, bad, verify,
               verify / open);
    }
    return sink == 12345 ? 3 : 0;
}
