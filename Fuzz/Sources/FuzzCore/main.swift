import CFuzzerDriver
import Foundation

// libFuzzer parses its own flags from the command line and calls the harness once per input.
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzCore))
