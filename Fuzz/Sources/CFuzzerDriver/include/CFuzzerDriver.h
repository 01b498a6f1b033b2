// libFuzzer's entry for programs that keep their own main (compiler-rt FuzzerInterface.h).
// SwiftPM links an executable target's main under an alias of its own, so libFuzzer's main is
// never used: each target's main.swift hands control to libFuzzer through this call instead.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
