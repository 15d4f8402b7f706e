#pragma once

// ONELINE_TEST_SANITIZED is defined when the test is built with AddressSanitizer or
// ThreadSanitizer, whose runtimes bring their own operator new and need descriptors of their
// own: tests that replace the one or take away the other skip there.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ONELINE_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define ONELINE_TEST_SANITIZED 1
#endif
#endif
