// Lock annotations in the style of LevelDB's port/thread_annotations.h: they declare which mutex
// guards which member. Under clang they become thread-safety attributes (checked with
// -Wthread-safety once the mutex type is annotated); under other compilers they are documentation.
#pragma once

#if defined(__clang__)
#define FL_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define FL_THREAD_ANNOTATION(x)
#endif

#define GUARDED_BY(x) FL_THREAD_ANNOTATION(guarded_by(x))
#define REQUIRES(...) FL_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) FL_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
